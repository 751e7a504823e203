"""SynFlow (Tanaka et al., NeurIPS 2020), as a zero-cost NAS proxy (Abdelfattah et al.,
"Zero-Cost Proxies for Lightweight NAS", ICLR 2021).

With every weight replaced by its absolute value and an all-ones input, the score is
sum over parameters of |theta * d(sum of outputs)/d theta|, computed in float64. BatchNorm is put
in eval mode, where freshly initialised running statistics make it an identity, so the score
depends on the weights alone (data-independent, as the method intends).
"""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext


@PROXIES.register("synflow")
class SynFlow(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        model = ctx.model().double()
        model.eval()
        with torch.no_grad():
            for p in model.parameters():
                p.abs_()
        model.zero_grad()
        ones = torch.ones((1, *ctx.batch.inputs.shape[1:]), dtype=torch.float64)
        model(ones).sum().backward()
        total = torch.zeros((), dtype=torch.float64)
        with torch.no_grad():
            for p in model.parameters():
                if p.grad is not None:
                    total += (p * p.grad).abs().sum()
        value = float(total)
        # SynFlow grows exponentially with depth; its log ranks identically and stays finite.
        return float(torch.log(total)) if value > 0 else float("-inf")
