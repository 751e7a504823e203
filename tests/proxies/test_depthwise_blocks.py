"""Float64 depthwise convolutions in channel blocks compute what the per-channel path computes
(to rounding), leave every other layer, dtype and shape alone, and are undone on exit; synflow
through them scores what it scores without them."""
from __future__ import annotations

import copy

import pytest
import torch
import torch.nn as nn

from codesign.proxies import depthwise_blocks as dw
from codesign.proxies.base import PROXIES, ProxyContext
from codesign.proxies.data import proxy_batch

#: Rounding of a different summation order in float64: a few units in the 16th digit.
RELATIVE = 1e-13


def _grads(conv: nn.Conv2d, x: torch.Tensor, blocked: bool):
    conv = copy.deepcopy(conv)
    x = x.clone().requires_grad_(True)
    if blocked:
        with dw.blocked_depthwise(conv):
            out = conv(x)
    else:
        out = conv(x)
    (out * torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).view_as(out)).sum().backward()
    return out.detach(), x.grad, conv.weight.grad, None if conv.bias is None else conv.bias.grad


@pytest.mark.parametrize("channels,size,kernel,stride,dilation,bias", [
    (64, 6, 5, 1, 1, False), (48, 3, 7, 1, 1, True), (32, 12, 3, 2, 1, False), (24, 12, 5, 1, 1, False),
    (16, 8, 3, 1, 2, True), (12, 6, 3, 1, 1, False),
])
def test_blocks_compute_the_per_channel_convolution(channels, size, kernel, stride, dilation, bias):
    gen = torch.Generator().manual_seed(channels)
    conv = nn.Conv2d(channels, channels, kernel, stride, padding=dilation * (kernel // 2), dilation=dilation,
                     groups=channels, bias=bias).double()
    with torch.no_grad():
        conv.weight.copy_(torch.rand(conv.weight.shape, generator=gen, dtype=torch.float64))
    x = torch.rand(1, channels, size, size, generator=gen, dtype=torch.float64)
    out_pixels = ((size + 2 * dilation * (kernel // 2) - dilation * (kernel - 1) - 1) // stride + 1) ** 2
    assert dw.block_size(channels, out_pixels, kernel * kernel) > 1  # the case takes the block path
    for blocked, plain in zip(_grads(conv, x, True), _grads(conv, x, False), strict=True):
        if plain is not None:
            assert torch.allclose(blocked, plain, rtol=RELATIVE, atol=0.0)


def test_block_sizes_follow_the_work_per_channel_and_divide_the_channels():
    assert dw.block_size(576, 36, 25) == 8  # 6 x 6 maps, k = 5
    assert dw.block_size(288, 144, 25) == 4  # 12 x 12, k = 5
    assert dw.block_size(96, 576, 49) == 1  # 24 x 24, k = 7: per channel is faster
    assert dw.block_size(36, 36, 25) == 4 and dw.block_size(30, 36, 25) == 1


def test_other_layers_dtypes_and_shapes_keep_their_path(monkeypatch):
    model = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.Conv2d(16, 16, 1),
                          nn.Conv2d(16, 16, 3, padding="same", groups=16))
    calls = []
    real = dw.F.conv2d
    monkeypatch.setattr(dw.F, "conv2d", lambda *a, **k: calls.append(a[6]) or real(*a, **k))
    x = torch.rand(1, 16, 6, 6)
    with dw.blocked_depthwise(model):
        assert torch.equal(model[0](x), real(x, model[0].weight, model[0].bias, 1, 1, 1, 16))  # float32
        model.double()(x.double())
    # groups of each convolution run: the float32 pass and the pointwise and "same"-padded layers as
    # before, the float64 depthwise layer with static padding in 2 blocks of 8 channels
    assert calls == [16, 2, 1, 16]
    assert all("forward" not in vars(m) for m in model.modules())


def test_forwards_are_restored_after_an_error():
    model = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8)).double()
    with pytest.raises(RuntimeError), dw.blocked_depthwise(model):
        model(torch.ones(1, 3, 4, 4, dtype=torch.float64))  # wrong channel count
    assert "forward" not in vars(model[0])


def test_synflow_scores_what_the_per_channel_path_scores(monkeypatch):
    import optuna

    from codesign.spaces.base import create_space

    space = create_space("mbconv", {"resolution": 96, "num_classes": 10})  # the quickstart's space
    arch = space.sample(optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=4)).ask())
    model = space.build(arch, seed=0)
    batch = proxy_batch("synthetic", space.input_shape(arch), 2, 10, 0)
    ctx = lambda: ProxyContext(model_factory=lambda: copy.deepcopy(model), batch=batch, built=model)  # noqa: E731
    sizes = []
    real = dw.block_size
    monkeypatch.setattr(dw, "block_size", lambda *a: sizes.append(real(*a)) or sizes[-1])
    blocked = PROXIES.create("synflow").compute(ctx())
    assert max(sizes) > 1  # some layer ran in blocks
    monkeypatch.setattr(dw, "block_size", lambda *a: 1)
    plain = PROXIES.create("synflow").compute(ctx())
    assert blocked == pytest.approx(plain, rel=RELATIVE) and blocked != float("-inf")


def test_nested_use_an_own_forward_and_copies_made_inside():
    own = nn.Conv2d(8, 8, 3, padding=1, groups=8).double()
    marker = own.forward
    own.forward = marker  # an instance attribute the block must give back
    model = nn.Sequential(own, nn.Conv2d(8, 8, 3, padding=1, groups=8)).double()
    x = torch.rand(1, 8, 4, 4, dtype=torch.float64)
    with dw.blocked_depthwise(model):
        with dw.blocked_depthwise(model):
            inner = model(x)
        copied = copy.deepcopy(model)
        with torch.no_grad():
            copied[1].weight.mul_(2.0)
        assert not torch.allclose(copied(x), inner)  # the copy runs its own weights
    assert vars(own)["forward"] is marker and "forward" not in vars(model[1])
    assert torch.allclose(model(x), inner, rtol=RELATIVE, atol=0.0)
