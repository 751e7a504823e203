"""One training-mode forward (and backward) pass shared by the proxies that read it.

NASWOT reads the binary activation codes of a training-mode forward pass; jacob_cov the input
Jacobians of the same pass (training-mode BatchNorm in both, the same fresh copy of the model,
the same batch). Neither changes the weights, so a rank combination holding both runs the pass
once (``ProxyContext.train_pass``) and each derives its score from it: the scores equal those of
separate passes (tested against the unfused computation in tests/proxies)."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

#: Modules whose inputs give NASWOT's activation codes.
ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.Hardswish, nn.ELU, nn.Mish)

#: What a pass can record.
CODES = "codes"
JACOBIAN = "jacobian"


@dataclass(frozen=True)
class TrainPass:
    """What one pass recorded: the NASWOT code kernel (``None`` with no activation) and the
    input Jacobians flattened per input (``None`` when not asked for)."""

    kernel: torch.Tensor | None
    jacobians: torch.Tensor | None


def run_train_pass(model: nn.Module, inputs: torch.Tensor, needs: frozenset[str]) -> TrainPass:
    """One training-mode pass of ``model`` over ``inputs`` recording ``needs`` (CODES, JACOBIAN);
    the backward pass runs only when the Jacobians are needed."""
    model.train()
    n = inputs.shape[0]
    kernel = torch.zeros(n, n, dtype=torch.float64)

    def hook(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
        codes = (args[0].detach() > 0).flatten(1).to(torch.float64)
        kernel.add_(codes @ codes.t() + (1.0 - codes) @ (1.0 - codes).t())

    handles = []
    if CODES in needs:
        handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, ACTIVATIONS)]
    try:
        if JACOBIAN in needs:
            x = inputs.clone().requires_grad_(True)
            model.zero_grad()
            y = model(x)
            for handle in handles:  # the codes are recorded; the backward pass needs no hooks
                handle.remove()
            y.backward(torch.ones_like(y))
            jacobians = x.grad.detach().flatten(1).double()
        else:
            with torch.no_grad():
                model(inputs)
            jacobians = None
    finally:
        for handle in handles:
            handle.remove()
    return TrainPass(kernel if handles else None, jacobians)
