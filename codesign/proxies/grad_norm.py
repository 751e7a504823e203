"""grad_norm (Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021): the sum over
conv and linear layers of the L2 norm of the loss gradient w.r.t. the layer's weights, after one
backward pass on a batch. BatchNorm uses batch statistics (training mode), as in the authors' code."""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.common import classification_loss, weight_layers


@PROXIES.register("grad_norm")
class GradNorm(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        model = ctx.model()
        model.train()
        model.zero_grad()
        classification_loss(model, ctx.batch).backward()
        with torch.no_grad():
            return float(sum(layer.weight.grad.norm(p=2) for layer in weight_layers(model)
                             if layer.weight.grad is not None))
