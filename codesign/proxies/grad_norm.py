"""grad_norm (Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021): the sum over
conv and linear layers of the L2 norm of the loss gradient w.r.t. the layer's weights, after one
backward pass on a batch. BatchNorm uses batch statistics (training mode), as in the authors' code."""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.common import weight_gradients


@PROXIES.register("grad_norm")
class GradNorm(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        pairs = weight_gradients(ctx.model(), ctx.batch)
        with torch.no_grad():
            return float(sum(grad.norm(p=2) for _, grad in pairs))
