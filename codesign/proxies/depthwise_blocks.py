"""Small float64 depthwise convolutions as grouped convolutions over blocks of channels.

PyTorch has no oneDNN kernel for float64, so a depthwise convolution in float64 (synflow's
pass) runs its slow path one channel at a time: on the small late-stage maps of an MBConv
network (hundreds of channels at 6 x 6 or 3 x 3) the per-channel call costs more than the
arithmetic. Grouping ``B`` channels into one group with a block-diagonal weight (each output
channel's kernel on its own input channel, exact zeros elsewhere) cuts the calls by ``B`` for
``B``-fold arithmetic, which pays while each channel's output work ``Ho * Wo * k * k`` is small
(timed forward + backward on one core, batch 1: 576 channels at 6 x 6, k = 5: 15.6 -> 9.9 ms;
1,056 at 3 x 3, k = 7: 32.6 -> 17.1 ms; 96 at 24 x 24, k = 7, where it would lose, 12.2 -> 16.5
ms, so there it is not used). The zeros add nothing, but the products are summed in another
order: results agree with the per-channel path to a few units in the 16th digit, not bit for
bit (tests/proxies/test_depthwise_blocks.py).
"""
from __future__ import annotations

import types
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn as nn
import torch.nn.functional as F

#: Largest per-channel output work (Ho * Wo * k * k) done in blocks of 8 channels, and of 4;
#: above it the per-channel path is as fast or faster (timings above).
BLOCK8_MAX_WORK = 1800
BLOCK4_MAX_WORK = 3600


def block_size(channels: int, out_pixels: int, taps: int) -> int:
    """Channels per group for a depthwise convolution of ``channels`` channels producing
    ``out_pixels`` pixels per channel with ``taps`` kernel taps; 1: per channel as PyTorch does."""
    work = out_pixels * taps
    for size, limit in ((8, BLOCK8_MAX_WORK), (4, BLOCK4_MAX_WORK)):
        if work <= limit and channels % size == 0:
            return size
    return 1


def _is_depthwise(module: nn.Module) -> bool:
    return (type(module) is nn.Conv2d and module.groups > 1 and module.groups == module.in_channels
            == module.out_channels and module.padding_mode == "zeros" and isinstance(module.padding, tuple))


def _blocked_forward(module: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    channels = module.in_channels
    kh, kw = module.kernel_size
    out_h = (x.shape[-2] + 2 * module.padding[0] - module.dilation[0] * (kh - 1) - 1) // module.stride[0] + 1
    out_w = (x.shape[-1] + 2 * module.padding[1] - module.dilation[1] * (kw - 1) - 1) // module.stride[1] + 1
    size = block_size(channels, out_h * out_w, kh * kw) if x.dtype == torch.float64 else 1
    if size == 1:
        return module._conv_forward(x, module.weight, module.bias)
    eye = torch.eye(size, dtype=x.dtype, device=x.device).view(1, size, size, 1, 1)
    # (groups, B, 1, kh, kw) x (1, B, B, 1, 1): output channel i of a block sees input channel i only
    weight = (module.weight.view(channels // size, size, 1, kh, kw) * eye).reshape(channels, size, kh, kw)
    return F.conv2d(x, weight, module.bias, module.stride, module.padding, module.dilation, channels // size)


@contextmanager
def blocked_depthwise(model: nn.Module) -> Iterator[None]:
    """Within the block, the plain depthwise ``nn.Conv2d`` layers of ``model`` run their float64
    calls in channel blocks where that is faster (other dtypes and shapes as before); their
    ``forward`` is restored on exit."""
    patched = [(m, vars(m).get("forward")) for m in model.modules() if _is_depthwise(m)]
    for module, _ in patched:
        module.forward = types.MethodType(_blocked_forward, module)  # a copy made inside rebinds to itself
    try:
        yield
    finally:
        for module, own in patched:  # what the instance had before, if anything
            if own is not None:
                module.forward = own
            else:
                vars(module).pop("forward", None)
