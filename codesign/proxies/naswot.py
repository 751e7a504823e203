"""NASWOT (Mellor et al., "Neural Architecture Search without Training", ICML 2021).

The binary activation pattern of every ReLU-like unit for each input of a batch defines a code;
the kernel K[i, j] = number of units on which inputs i and j agree (both active or both inactive);
the score is log|K|. Networks whose units separate inputs better score higher. BatchNorm uses the
statistics of the batch (the network in training mode), as in the authors' code.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from codesign.proxies.base import PROXIES, Proxy, ProxyContext

_ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.Hardswish, nn.ELU, nn.Mish)


@PROXIES.register("naswot")
class NASWOT(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        model = ctx.model()
        model.train()
        inputs = ctx.batch.inputs
        n = inputs.shape[0]
        kernel = torch.zeros(n, n, dtype=torch.float64)

        def hook(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
            codes = (args[0].detach() > 0).flatten(1).to(torch.float64)
            kernel.add_(codes @ codes.t() + (1.0 - codes) @ (1.0 - codes).t())

        handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, _ACTIVATIONS)]
        if not handles:
            raise ValueError("the network has no ReLU-like activation to read codes from")
        try:
            with torch.no_grad():
                model(inputs)
        finally:
            for handle in handles:
                handle.remove()
        sign, logdet = torch.linalg.slogdet(kernel)
        if sign <= 0:
            raise ValueError("activation-code kernel is singular (identical codes for two inputs)")
        return float(logdet)
