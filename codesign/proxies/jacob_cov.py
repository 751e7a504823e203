"""Jacobian covariance (Mellor et al., "Neural Architecture Search without Training", arXiv
2006.04647v1, the first version of the NASWOT paper): the correlation matrix of the input
Jacobians dy/dx of a batch, scored -sum(log(lambda + k) + 1/(lambda + k)) over its eigenvalues
with k = 1e-5. Networks whose Jacobians are less correlated across inputs score higher.
Training-mode BatchNorm, as in the authors' code."""
from __future__ import annotations

import torch

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.train_pass import JACOBIAN

JACOB_COV_K = 1e-5  # Mellor et al. (v1), Sec. 3


@PROXIES.register("jacob_cov")
class JacobCov(Proxy):
    direction = "maximize"
    train_pass_needs = frozenset({JACOBIAN})

    def compute(self, ctx: ProxyContext) -> float:
        jacobians = ctx.train_pass(self.train_pass_needs).jacobians
        corr = torch.corrcoef(jacobians)
        if not torch.isfinite(corr).all():
            raise ValueError("input Jacobians are constant for some input (undefined correlation)")
        eigenvalues = torch.linalg.eigvalsh(corr)
        return float(-torch.sum(torch.log(eigenvalues + JACOB_COV_K) + 1.0 / (eigenvalues + JACOB_COV_K)))
