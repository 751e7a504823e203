"""NASWOT (Mellor et al., "Neural Architecture Search without Training", ICML 2021).

The binary activation pattern of every ReLU-like unit for each input of a batch defines a code;
the kernel K[i, j] = number of units on which inputs i and j agree (both active or both inactive);
the score is log|K|. Networks whose units separate inputs better score higher. BatchNorm uses the
statistics of the batch (the network in training mode), as in the authors' code.
"""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.train_pass import CODES


@PROXIES.register("naswot")
class NASWOT(Proxy):
    direction = "maximize"
    train_pass_needs = frozenset({CODES})

    def compute(self, ctx: ProxyContext) -> float:
        kernel = ctx.train_pass(self.train_pass_needs).kernel
        if kernel is None:
            raise ValueError("the network has no ReLU-like activation to read codes from")
        sign, logdet = torch.linalg.slogdet(kernel)
        if sign <= 0:
            raise ValueError("activation-code kernel is singular (identical codes for two inputs)")
        return float(logdet)
