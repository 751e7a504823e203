"""SynFlow (Tanaka et al., NeurIPS 2020), as a zero-cost NAS proxy (Abdelfattah et al.,
"Zero-Cost Proxies for Lightweight NAS", ICLR 2021).

With every weight replaced by its absolute value and an all-ones input, the score is
sum over parameters of |theta * d(sum of outputs)/d theta|, computed in float64. BatchNorm is put
in eval mode, where freshly initialised running statistics make it an identity, so the score
depends on the weights alone (data-independent, as the method intends).

The network is borrowed, not copied: ``torch.func.functional_call`` runs it with float64 copies
of its absolute weights (and float64 buffers) in their place, the values a float64 copy of the
model with ``abs_`` applied would hold (tests/proxies). Small depthwise layers run in channel
blocks (``codesign.proxies.depthwise_blocks``), which sums the same products in another order:
the score agrees with the per-channel computation to ~1e-15 relative.
"""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.depthwise_blocks import blocked_depthwise


@PROXIES.register("synflow")
class SynFlow(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        with ctx.borrowed_model() as model:
            model.eval()
            weights = {name: p.detach().to(torch.float64).abs().requires_grad_(True)
                       for name, p in model.named_parameters()}
            buffers = {name: b.to(torch.float64) if b.is_floating_point() else b for name, b in model.named_buffers()}
            ones = torch.ones((1, *ctx.batch.inputs.shape[1:]), dtype=torch.float64)
            with blocked_depthwise(model):  # small depthwise layers in channel blocks: faster, same products
                torch.func.functional_call(model, {**weights, **buffers}, (ones,)).sum().backward()
        total = torch.zeros((), dtype=torch.float64)
        with torch.no_grad():
            for p in weights.values():
                if p.grad is not None:
                    total += (p * p.grad).abs().sum()
        value = float(total)
        # SynFlow grows exponentially with depth; its log ranks identically and stays finite.
        return float(torch.log(total)) if value > 0 else float("-inf")
