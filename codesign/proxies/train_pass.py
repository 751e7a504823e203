"""One training-mode forward (and backward) pass shared by the proxies that read it.

NASWOT reads the binary activation codes of a training-mode forward pass; jacob_cov the input
Jacobians of the same pass (training-mode BatchNorm in both, the same fresh copy of the model,
the same batch). Neither changes the weights, so a rank combination holding both runs the pass
once (``ProxyContext.train_pass``) and each derives its score from it: the scores equal those of
separate passes (tested against the unfused computation in tests/proxies).

Two things make the pass cheaper without changing a bit of what it records: the weights are
frozen for it (jacob_cov needs dy/dx only, so autograd computes no weight gradient), and each
activation's code kernel is one integer-exact matrix product (``code_kernel``) instead of two,
over codes written straight into the product's dtype (``positive_codes``: one comparison into a
float buffer, not a boolean tensor and a conversion, 2.3x faster on a 16 x 96 x 48 x 48 map)."""
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


#: float32 holds every integer below 2**24 exactly: a Gram matrix of 0/1 codes over fewer features
#: is computed exactly in float32 whatever the summation order (IEEE 754 binary32, 24-bit significand).
FLOAT32_EXACT_INTEGERS = 2 ** 24


def gram_dtype(features: int) -> torch.dtype:
    """float32 where a Gram matrix of 0/1 codes over ``features`` is exact in it (and float32
    products are not allowed a lower internal precision), else float64."""
    exact = features < FLOAT32_EXACT_INTEGERS and torch.get_float32_matmul_precision() == "highest"
    return torch.float32 if exact else torch.float64


def positive_codes(values: torch.Tensor) -> torch.Tensor:
    """NASWOT's binary codes of ``values`` (inputs first): 1 where a value is > 0 (not NaN), else 0,
    flattened to inputs x features in ``code_kernel``'s product dtype (the comparison writes them
    there directly)."""
    codes = torch.empty(values.shape, dtype=gram_dtype(values[0].numel()), device=values.device)
    torch.gt(values, 0, out=codes)
    return codes.flatten(1)


def code_kernel(codes: torch.Tensor) -> torch.Tensor:
    """NASWOT's kernel of binary ``codes`` (inputs x features, bool or 0/1 in ``gram_dtype``, as
    ``positive_codes`` gives them): K[i, j] = number of
    features on which inputs i and j agree, ``c c^T + (1 - c)(1 - c)^T``, as float64.

    Written as ``2 G - s 1^T - 1 s^T + F`` with ``G = c c^T``, ``s`` the row sums (``G``'s diagonal,
    codes being 0/1) and ``F`` the number of features: one product instead of two, in float32
    when every entry (at most ``F``) is an integer float32 holds exactly, so the result equals the
    two float64 products bit for bit (tests/proxies/test_train_pass.py)."""
    features = codes.shape[1]
    dtype = gram_dtype(features)
    c = codes if codes.dtype == dtype else codes.to(dtype)
    gram = (c @ c.t()).to(torch.float64)
    row_sums = gram.diagonal()
    return 2.0 * gram - row_sums[:, None] - row_sums[None, :] + float(features)


def run_train_pass(model: nn.Module, inputs: torch.Tensor, needs: frozenset[str]) -> TrainPass:
    """One training-mode pass of ``model`` over ``inputs`` recording ``needs`` (CODES, JACOBIAN);
    the backward pass runs only when the Jacobians are needed. The weights' ``requires_grad`` flags
    are restored afterwards; the model is left in training mode with its BatchNorm statistics
    updated (as any training-mode forward leaves it)."""
    model.train()
    n = inputs.shape[0]
    kernel = torch.zeros(n, n, dtype=torch.float64)

    def hook(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
        kernel.add_(code_kernel(positive_codes(args[0].detach())))

    handles = []
    if CODES in needs:
        handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, ACTIVATIONS)]
    trainable = [p for p in model.parameters() if p.requires_grad]
    try:
        if JACOBIAN in needs:
            for p in trainable:  # dy/dx only: no weight gradient is computed
                p.requires_grad_(False)
            x = inputs.clone().requires_grad_(True)
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
        for p in trainable:
            p.requires_grad_(True)
    return TrainPass(kernel if handles else None, jacobians)
