"""Workload extraction: MAC totals agree with PyTorch's own FLOP counter on timm models."""
import pytest
import timm
import torch
import torch.nn as nn
from torch.utils.flop_counter import FlopCounterMode

from codesign.workload.extract import extract_workload


def independent_macs(model: nn.Module, shape) -> int:
    """MACs counted by torch.utils.flop_counter (FLOPs / 2): conv, mm, bmm, addmm."""
    with FlopCounterMode(display=False) as counter:
        with torch.no_grad():
            model(torch.zeros(1, *shape))
    return counter.get_total_flops() // 2


@pytest.mark.parametrize("name", ["resnet18", "mobilenetv3_small_100", "efficientnet_b0", "vit_tiny_patch16_224"])
def test_mac_total_matches_flop_counter(name):
    from timm.layers import set_fused_attn

    # Unfused attention runs explicit matmuls, which the flop counter sees on CPU.
    set_fused_attn(False)
    try:
        model = timm.create_model(name, pretrained=False).eval()
        workload = extract_workload(model, (3, 224, 224), name=name)
        assert workload.meta["extraction"] == "fx"
        assert workload.macs == independent_macs(model, (3, 224, 224))
    finally:
        set_fused_attn(True)


def test_fused_attention_counts_both_matmuls():
    model = timm.create_model("vit_tiny_patch16_224", pretrained=False).eval()
    w = extract_workload(model, (3, 224, 224))
    qk = [layer for layer in w.layers if layer.name.endswith(".qk")]
    assert len(qk) == 12
    assert (qk[0].N, qk[0].P, qk[0].C, qk[0].K) == (3, 197, 64, 197)
    assert any(layer.op == "softmax" for layer in w.layers)


def test_layer_kinds_of_a_small_cnn():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(8)
            self.act = nn.ReLU()
            self.dw = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(8 * 8 * 8, 10)

        def forward(self, x):
            y = self.act(self.bn(self.conv(x)))
            y = y + self.dw(y)
            return self.fc(torch.flatten(self.pool(y), 1))

    w = extract_workload(Net(), (3, 32, 32))
    ops = [(layer.name, layer.op) for layer in w.layers]
    assert ops == [("conv", "conv"), ("dw", "conv"), ("add", "eltwise"), ("pool", "pool"), ("fc", "linear")]
    conv, dw, add, pool, fc = w.layers
    assert conv.extra["fused"] == ["batch_norm", "relu"] and conv.post_ops == 1
    assert (conv.P, conv.Q, conv.stride_h, conv.H) == (16, 16, 2, 32)
    assert (dw.groups, dw.dilation_h, dw.R) == (8, 2, 3)
    assert add.operands == 2
    assert (pool.R, pool.S, pool.P) == (2, 2, 8)
    assert (fc.C, fc.K) == (512, 10)


def test_untraceable_model_falls_back_to_hooks():
    class Dynamic(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            y = self.conv(x)
            if y.sum() > 0:  # data-dependent control flow: fx cannot trace it
                y = y * 2
            return self.fc(y.mean((2, 3)))

    with pytest.warns(UserWarning, match="falling back"):
        w = extract_workload(Dynamic(), (3, 8, 8))
    assert w.meta["extraction"] == "hooks"
    assert [layer.op for layer in w.layers] == ["conv", "linear"]
    assert w.macs == 4 * 3 * 9 * 36 + 8
