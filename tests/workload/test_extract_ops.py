"""Workload extraction per operator kind: every MAC layer's count equals PyTorch's FLOP counter,
vector layers carry their shape and per-output work, and ONNX models read the same layers."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from codesign.errors import ConfigError
from codesign.workload import load_workload
from codesign.workload.extract import ACT_OPS, NORM_OPS, extract_workload
from codesign.workload.onnx_import import workload_from_onnx
from tests.conftest import DATA


def flop_counter_macs(model: nn.Module, shape, batch=1) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(batch, *shape))
    return counter.get_total_flops() // 2


class Ops(nn.Module):
    """One of each operator kind the extractor knows."""

    def __init__(self):
        super().__init__()
        self.grouped = nn.Conv2d(8, 16, 3, padding=1, groups=4)
        self.dw = nn.Conv2d(16, 16, 5, stride=2, padding=2, groups=16)
        self.dil = nn.Conv2d(16, 8, 3, padding=2, dilation=2)
        self.bn = nn.BatchNorm2d(8)
        self.gn = nn.GroupNorm(2, 8)
        self.act = nn.Hardswish()
        self.pool = nn.AvgPool2d(2)
        self.apool = nn.AdaptiveMaxPool2d(1)
        self.lin = nn.Linear(8, 12)
        self.ln = nn.LayerNorm(12)
        self.conv1d = nn.Conv1d(12, 6, 3, stride=2)

    def forward(self, x):
        y = self.grouped(x)
        y = F.gelu(self.dw(y))
        y = self.gn(self.bn(self.dil(y)))
        y = self.act(y) * torch.sigmoid(y)
        y = self.pool(y)
        t = y.flatten(2).transpose(1, 2)
        q = self.ln(self.lin(t))
        att = torch.softmax(q @ q.transpose(1, 2), dim=-1)
        o = torch.bmm(att, q)
        o = o + F.scaled_dot_product_attention(q.unsqueeze(1), q.unsqueeze(1), q.unsqueeze(1)).squeeze(1)
        z = self.conv1d(o.transpose(1, 2))
        return self.apool(y).flatten(1).sum() + z.mean()


@pytest.fixture(scope="module")
def ops_workload():
    return extract_workload(Ops(), (8, 16, 16), batch=2)


def by_name(workload, name):
    return next(layer for layer in workload.layers if layer.name == name)


def test_mac_total_equals_the_flop_counter(ops_workload):
    # PyTorch's counter does not see the fused attention kernel on CPU; its two matmuls
    # (2 batches x 16 queries x 16 keys x 12 features, twice) are added by hand.
    sdpa = 2 * (2 * 16 * 16 * 12)
    assert ops_workload.macs == flop_counter_macs(Ops().eval(), (8, 16, 16), batch=2) + sdpa
    assert ops_workload.meta["extraction"] == "fx"


def test_convolutions(ops_workload):
    g = by_name(ops_workload, "grouped")
    assert (g.groups, g.C, g.K, g.P, g.R) == (4, 8, 16, 16, 3) and g.macs == 2 * 16 * 16 * 16 * 2 * 9
    dw = by_name(ops_workload, "dw")
    assert (dw.groups, dw.C, dw.K, dw.stride_h, dw.P, dw.H) == (16, 16, 16, 2, 8, 16)
    assert dw.macs == 2 * 16 * 8 * 8 * 25 and dw.extra["fused"] == ["gelu"] and dw.post_ops == ACT_OPS["gelu"]
    dil = by_name(ops_workload, "dil")
    assert (dil.dilation_h, dil.dilation_w, dil.P, dil.H) == (2, 2, 8, 8)
    assert dil.extra["fused"] == ["batch_norm"] and dil.post_ops == 0  # folded BatchNorm costs nothing
    c1 = by_name(ops_workload, "conv1d")
    assert (c1.K, c1.C, c1.P, c1.Q, c1.R, c1.S, c1.stride_h) == (6, 12, 7, 1, 3, 1, 2)


def test_gemms_and_attention(ops_workload):
    lin = by_name(ops_workload, "lin")
    assert (lin.op, lin.N, lin.P, lin.C, lin.K) == ("linear", 2, 16, 8, 12)   # tokens on P
    mm = by_name(ops_workload, "matmul")
    assert (mm.op, mm.N, mm.P, mm.C, mm.K) == ("matmul", 2, 16, 12, 16)
    bmm = by_name(ops_workload, "bmm")
    assert (bmm.op, bmm.N, bmm.P, bmm.C, bmm.K) == ("matmul", 2, 16, 16, 12)
    qk = by_name(ops_workload, "scaled_dot_product_attention.qk")
    av = by_name(ops_workload, "scaled_dot_product_attention.av")
    assert (qk.P, qk.C, qk.K) == (16, 12, 16) and (av.P, av.C, av.K) == (16, 16, 12)
    sm = by_name(ops_workload, "scaled_dot_product_attention.softmax")
    assert sm.op == "softmax" and sm.output_elems == 2 * 16 * 16


def test_vector_layers(ops_workload):
    gn = by_name(ops_workload, "gn")
    assert gn.op == "norm" and gn.ops_per_output == NORM_OPS["group_norm"] and gn.output_elems == 2 * 8 * 8 * 8
    ln = by_name(ops_workload, "ln")
    assert ln.op == "norm" and ln.output_elems == 2 * 16 * 12
    assert by_name(ops_workload, "act").ops_per_output == ACT_OPS["hardswish"]
    mul = by_name(ops_workload, "mul")
    assert (mul.op, mul.operands) == ("eltwise", 2)
    pool = by_name(ops_workload, "pool")
    assert (pool.op, pool.R, pool.S, pool.P, pool.H, pool.groups) == ("pool", 2, 2, 4, 8, 8)
    ap = by_name(ops_workload, "apool")
    assert (ap.op, ap.R, ap.P) == ("pool", 4, 1)
    assert by_name(ops_workload, "softmax").op == "softmax"
    assert all(layer.macs == 0 for layer in ops_workload.layers if not layer.is_mac)


def test_no_fusion_keeps_every_operator():
    w = extract_workload(Ops(), (8, 16, 16), fuse=False)
    ops = [layer.op for layer in w.layers]
    assert ops.count("norm") == 3 and ops.count("act") == 3


def test_onnx_models_read_as_layers():
    """ZigZag's ONNX workloads (tests/data/zigzag): torchvision ResNet-18 and MobileNetV2 and the
    ONNX-zoo AlexNet, MAC totals as published (1.814 G, 0.301 G, 0.655 G at 224x224)."""
    r18 = workload_from_onnx(DATA / "zigzag" / "workload" / "resnet18.onnx")
    assert r18.macs == 1_814_073_344
    assert sum(layer.op == "conv" for layer in r18.layers) == 20
    assert any(layer.op == "eltwise" and layer.operands == 2 for layer in r18.layers)
    mbv2 = load_workload(DATA / "zigzag" / "workload" / "mobilenetv2.onnx")
    assert mbv2.macs == 300_774_272
    assert sum(layer.groups > 1 for layer in mbv2.layers if layer.op == "conv") == 17
    alex = workload_from_onnx(DATA / "zigzag" / "workload" / "alexnet.onnx")
    assert math.isclose(alex.macs, 654_560_384)
    assert alex.meta["skipped"]["LRN"] == 2


def test_onnx_export_round_trip(tmp_path):
    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(3, 8, 3, stride=2, padding=1)
            self.d = nn.Conv2d(8, 8, 3, padding=1, groups=8)
            self.f = nn.Linear(8, 4)

        def forward(self, x):
            y = torch.relu(self.c(x))
            y = y + self.d(y)
            return self.f(F.adaptive_avg_pool2d(y, 1).flatten(1))

    model = Small().eval()
    path = tmp_path / "small.onnx"
    torch.onnx.export(model, (torch.zeros(1, 3, 16, 16),), str(path), dynamo=False, opset_version=17)
    from_onnx = workload_from_onnx(path)
    traced = extract_workload(model, (3, 16, 16))
    assert from_onnx.macs == traced.macs
    assert [layer.op for layer in from_onnx.layers] == [layer.op for layer in traced.layers]


def test_bad_onnx_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        workload_from_onnx(tmp_path / "missing.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="cannot read ONNX model"):
        load_workload(bad)


def test_the_documented_layers_file_loads():
    import re
    from pathlib import Path

    import yaml

    from codesign.workload import Workload

    doc = (Path(__file__).resolve().parents[2] / "docs" / "workload.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)
    w = Workload.from_dict(yaml.safe_load(block), where="docs/workload.md")
    assert [layer.op for layer in w.layers] == ["conv", "conv", "conv", "eltwise", "pool", "linear", "matmul"]
    assert w.layers[1].groups == 16 and w.layers[2].dilation_h == 2


@pytest.mark.parametrize("trans_a", [0, 1])
def test_onnx_gemm_rows_follow_transpose_flags(tmp_path, trans_a):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m, k, n = 5, 7, 3  # A is (M, K), or (K, M) with transA; B is (N, K) with transB
    a_shape = [k, m] if trans_a else [m, k]
    weight = numpy_helper.from_array(np.zeros((n, k), dtype=np.float32), name="B")
    node = helper.make_node("Gemm", ["A", "B"], ["Y"], transA=trans_a, transB=1)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("A", TensorProto.FLOAT, a_shape)],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])], initializer=[weight])
    path = tmp_path / "gemm.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    (layer,) = workload_from_onnx(path).layers
    assert (layer.op, layer.P, layer.C, layer.K, layer.macs) == ("linear", m, k, n, m * k * n)
