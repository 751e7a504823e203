"""SNIP (Lee et al., "SNIP: Single-shot Network Pruning based on Connection Sensitivity", ICLR 2019)
as a zero-cost NAS proxy (Abdelfattah et al., ICLR 2021): the sum over conv and linear weights of
|w * dL/dw| after one backward pass on a batch (training-mode BatchNorm, as in the authors' code)."""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.common import weight_gradients


@PROXIES.register("snip")
class Snip(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        pairs = weight_gradients(ctx.model(), ctx.batch)
        with torch.no_grad():
            return float(sum((weight * grad).abs().sum() for weight, grad in pairs))
