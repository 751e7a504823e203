"""The baselines every proxy must beat: parameter count and FLOPs (MACs) of the network."""
from __future__ import annotations

from codesign.proxies.base import PROXIES, Proxy, ProxyContext


@PROXIES.register("params")
class Params(Proxy):
    """Number of trainable parameters."""

    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        return float(sum(p.numel() for p in ctx.model().parameters() if p.requires_grad))


@PROXIES.register("flops")
class Flops(Proxy):
    """Multiply-accumulates of one inference at batch 1 (from the extracted workload)."""

    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        return float(ctx.workload.macs) / max(1, ctx.workload.input_shape[0] if ctx.workload.input_shape else 1)
