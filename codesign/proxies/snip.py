"""SNIP (Lee et al., "SNIP: Single-shot Network Pruning based on Connection Sensitivity", ICLR 2019)
as a zero-cost NAS proxy (Abdelfattah et al., ICLR 2021): the sum over conv and linear weights of
|w * dL/dw| after one backward pass on a batch (training-mode BatchNorm, as in the authors' code)."""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.common import classification_loss, weight_layers


@PROXIES.register("snip")
class Snip(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        model = ctx.model()
        model.train()
        model.zero_grad()
        classification_loss(model, ctx.batch).backward()
        with torch.no_grad():
            return float(sum((layer.weight * layer.weight.grad).abs().sum() for layer in weight_layers(model)
                             if layer.weight.grad is not None))
