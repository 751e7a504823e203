"""Per-element operation counts of vector operators and the mapping of activation shapes onto loop
nests: shared by torch.fx extraction and ONNX import (no torch import here)."""
from __future__ import annotations

import math

# Simple operations per output element of each activation / normalisation / softmax. Counted as
# the arithmetic steps of the usual formula (an exp or a division counts as one operation).
ACT_OPS: dict[str, float] = {
    "relu": 1, "relu6": 2, "leaky_relu": 2, "hardtanh": 2, "hardsigmoid": 3, "hardswish": 4,
    "sigmoid": 3, "tanh": 3, "silu": 4, "swish": 4, "gelu": 8, "mish": 6, "elu": 3, "softplus": 3,
}
NORM_OPS: dict[str, float] = {"batch_norm": 2, "layer_norm": 5, "group_norm": 5, "instance_norm": 5}
SOFTMAX_OPS = 4.0  # max, subtract, exp, divide (the sum shares the divide's pass)


def nkpq(shape: tuple[int, ...]) -> dict[str, int]:
    """Map an activation shape onto N, K, P, Q: (N, C, H, W) images, (N, T, D) token sequences,
    (N, D) vectors; higher ranks fold their leading dims into N."""
    if len(shape) == 4:
        return {"N": shape[0], "K": shape[1], "P": shape[2], "Q": shape[3]}
    if len(shape) == 3:
        return {"N": shape[0], "K": shape[2], "P": shape[1], "Q": 1}
    if len(shape) == 2:
        return {"N": shape[0], "K": shape[1]}
    if len(shape) == 1:
        return {"K": shape[0]}
    if len(shape) == 0:
        return {}
    return {"N": math.prod(shape[:-3]), "K": shape[-3], "P": shape[-2], "Q": shape[-1]}
