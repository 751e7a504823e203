"""One node per computation (``codesign.workload.cse_fx``, ``cse_onnx``), merged on the traced fx graph and on the
ONNX graph before layers are made: what a model computes twice (NAS-Bench-201's per-edge ReLUs, two
equal pools of one tensor) is computed once and read by all; everything that only looks alike as a
layer (other functions or settings, other operands or their order, slices, separate weights,
values changed in place) stays apart."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from codesign.workload.extract import extract_workload


def _ops(workload) -> list[str]:
    return [layer.op for layer in workload.layers]


class Twice(nn.Module):
    """Node ``x`` read by two ReLU-conv edges (two ReLU modules) and two equal average pools,
    plus a ReLU and a sigmoid of another tensor."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.relu_a, self.relu_b, self.relu_c = nn.ReLU(), nn.ReLU(), nn.ReLU()
        self.conv_a = nn.Conv2d(8, 8, 3, padding=1)
        self.conv_b = nn.Conv2d(8, 8, 3, padding=1)
        self.pool_a, self.pool_b = nn.AvgPool2d(3, 1, 1), nn.AvgPool2d(3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        a = self.conv_a(self.relu_a(x))
        b = self.conv_b(self.relu_b(x))
        y = a + b + self.pool_a(x) + self.pool_b(x)
        return self.relu_c(y) + torch.sigmoid(y)


def test_repeated_computations_are_one_layer_read_by_all():
    traced = extract_workload(Twice(), (3, 8, 8), fuse=False)
    merged = extract_workload(Twice(), (3, 8, 8))
    assert _ops(traced).count("act") == 4 and _ops(traced).count("pool") == 2
    assert _ops(merged).count("act") == 3 and _ops(merged).count("pool") == 1 and merged.meta["merged"] == 2
    relu = next(i for i, layer in enumerate(merged.layers) if layer.name == "relu_a")
    convs = [i for i, layer in enumerate(merged.layers) if layer.name in ("conv_a", "conv_b")]
    assert [merged.reads(i)[0] for i in convs] == [merged.writes(relu)[0]] * 2
    assert merged.macs == traced.macs  # the convolutions have weights of their own


class _Functional(nn.Module):
    def __init__(self, forward) -> None:
        super().__init__()
        self._forward = forward

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._forward(x)


class _Modules(nn.Module):
    def __init__(self, a: nn.Module, b: nn.Module, combine) -> None:
        super().__init__()
        self.a, self.b, self._combine = a, b, combine

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._combine(self.a(x), self.b(x))


def _chunked_relus(x):
    a, b = x.chunk(2, 1)
    return torch.cat([torch.relu(a), torch.relu(b)], 1)


def _differences(x):
    a, b = x.chunk(2, 1)
    return (a - b) * (b - a)


def _mutated(x):
    y = torch.relu(x)
    x.add_(1.0)
    return y + torch.relu(x)


def _mutated_after_both(x):
    a, b = torch.tanh(x), torch.tanh(x)
    a.mul_(2.0)
    return a + b


def _zeroed_slices(x):
    a, b = x.clone(), x.clone()
    a[:, 0].zero_()
    b[:, 1].zero_()
    return a + b


def _written_through_out(x):
    y = x * 1.0
    a = torch.cos(y)
    torch.sigmoid(x, out=y)
    return a + torch.cos(y)


def _signed_zeros(x):
    y = x.abs()
    return 1.0 / (y * 0.0) + 1.0 / (y * -0.0)


@torch.fx.wrap
def _noisy(x):
    return x + torch.randn_like(x)


def _hooked_relus():
    hooked = nn.ReLU()
    hooked.register_forward_hook(lambda module, args, out: -out)
    return _Modules(nn.ReLU(), hooked, torch.add)


def _mutated_by_position(x):
    y = torch.sigmoid(x)
    F.relu(x, True)  # inplace by position: traced as the torch.relu_ it calls
    return y + torch.sigmoid(x)


#: (name, model, input shape): each computes two things that are not the same computation.
APART = [
    ("max and average pool", _Functional(lambda x: F.adaptive_avg_pool2d(x, 1) + F.adaptive_max_pool2d(x, 1)), (4, 8, 8)),
    ("pool modules", _Modules(nn.AvgPool2d(3, 1, 1), nn.MaxPool2d(3, 1, 1), torch.add), (4, 8, 8)),
    ("pool settings", _Modules(nn.AvgPool2d(3, 1, 1), nn.AvgPool2d(3, 1, 1, count_include_pad=False), torch.add), (4, 8, 8)),
    ("softmax axes", _Functional(lambda x: torch.softmax(x, -1) + torch.softmax(x, -2)), (8, 8)),
    ("activation parameters", _Modules(nn.LeakyReLU(0.1), nn.LeakyReLU(0.3), torch.mul), (4, 8, 8)),
    ("gelu approximations", _Functional(lambda x: F.gelu(x) + F.gelu(x, approximate="tanh")), (4, 8, 8)),
    ("scalar constants", _Functional(lambda x: (x + 1) * (x + 2) + (x - 1) * (1 - x)), (4, 8, 8)),
    ("slices of one tensor", _Functional(_chunked_relus), (8, 4, 4)),
    ("operand order", _Functional(_differences), (8, 4, 4)),
    ("different arguments", _Functional(lambda x: torch.sigmoid(x) * torch.sigmoid(-x)), (4, 4, 4)),
    ("two BatchNorms", _Modules(nn.BatchNorm2d(4), nn.BatchNorm2d(4), torch.add), (4, 4, 4)),
    ("two LayerNorms", _Modules(nn.LayerNorm(8), nn.LayerNorm(8), lambda a, b: a @ b.transpose(-1, -2)), (6, 8)),
    ("causal and full attention", _Functional(lambda q: F.scaled_dot_product_attention(q, q, q, is_causal=True)
                                              + F.scaled_dot_product_attention(q, q, q)), (2, 8, 4)),
    ("a value changed in place between", _Functional(_mutated), (4, 4, 4)),
    ("changed in place, inplace by position", _Functional(_mutated_by_position), (4, 4, 4)),
    ("changed in place after both copies", _Functional(_mutated_after_both), (4, 4, 4)),
    ("written through out=", _Functional(_written_through_out), (4, 4, 4)),
    ("copies changed in place through slices", _Functional(_zeroed_slices), (4, 4, 4)),
    ("0.0 and -0.0", _Functional(_signed_zeros), (4, 4, 4)),
    ("a wrapped random function", _Functional(lambda x: _noisy(x) - _noisy(x)), (4, 4, 4)),
    ("randomised ReLU in training", _Functional(lambda x: F.rrelu(x, training=True) - F.rrelu(x, training=True)), (4, 4, 4)),
    ("fractional max pools", _Modules(nn.FractionalMaxPool2d(3, output_size=2), nn.FractionalMaxPool2d(3, output_size=2),
                                      torch.sub), (1, 6, 6)),
    ("a module with a forward hook", _hooked_relus(), (4, 4, 4)),
]


@pytest.mark.parametrize("model,shape", [(m, s) for _, m, s in APART], ids=[n for n, _, _ in APART])
def test_what_only_looks_alike_stays_apart(model, shape):
    assert extract_workload(model, shape).meta["merged"] == 0


def test_nb201_cell_relus_and_pools_merge():
    from codesign.spaces import create_space

    space = create_space("nb201", {"cells_per_stage": 1})
    arch = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    model = space.build(arch)
    merged = extract_workload(model, space.input_shape(arch))
    traced = extract_workload(model, space.input_shape(arch), fuse=False)
    # node 0 feeds two ReLU-conv edges (0->1, 0->2) in each of the 3 cells: one ReLU each merged
    assert merged.meta["merged"] == 3
    assert _ops(traced).count("act") - _ops(merged).count("act") >= 3 and merged.macs == traced.macs


def _onnx_two_relus(path, weight_source: str) -> None:
    """x -> Relu, Relu -> Conv, Conv -> Add, the weights from initializers or Constant nodes."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    arrays = [np.full((4, 4, 3, 3), float(i + 1), np.float32) for i in (0, 1)]
    nodes = [helper.make_node("Relu", ["x"], ["r0"]), helper.make_node("Relu", ["x"], ["r1"])]
    initializers = []
    for i, array in enumerate(arrays):
        if weight_source == "initializer":
            initializers.append(numpy_helper.from_array(array, name=f"w{i}"))
        else:
            nodes.append(helper.make_node("Constant", [], [f"w{i}"], value=numpy_helper.from_array(array)))
    nodes += [helper.make_node("Conv", ["r0", "w0"], ["c0"], pads=[1, 1, 1, 1]),
              helper.make_node("Conv", ["r1", "w1"], ["c1"], pads=[1, 1, 1, 1]),
              helper.make_node("Add", ["c0", "c1"], ["y"])]
    graph = helper.make_graph(nodes, "two_relus", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])],
                              initializer=initializers)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


@pytest.mark.parametrize("weight_source", ["initializer", "constant"])
def test_onnx_import_merges_repeats_and_keeps_separate_weights(tmp_path, weight_source):
    from codesign.workload.onnx_import import workload_from_onnx

    path = tmp_path / "two_relus.onnx"
    _onnx_two_relus(path, weight_source)
    plain, merged = workload_from_onnx(path, fuse=False), workload_from_onnx(path)
    assert _ops(plain).count("act") == 2 and _ops(merged).count("act") == 1
    assert _ops(merged).count("conv") == 2 and merged.macs == plain.macs
    convs = [i for i, layer in enumerate(merged.layers) if layer.op == "conv"]
    assert merged.reads(convs[0])[0] == merged.reads(convs[1])[0]


def test_onnx_export_reads_as_the_traced_model(tmp_path):
    from codesign.workload.onnx_import import workload_from_onnx

    model = Twice().eval()
    path = tmp_path / "twice.onnx"
    torch.onnx.export(model, (torch.zeros(1, 3, 8, 8),), str(path), dynamo=False, opset_version=17)
    assert _ops(workload_from_onnx(path)) == _ops(extract_workload(model, (3, 8, 8)))


def test_onnx_omitted_outputs_and_inputs_keep_their_meaning():
    from onnx import helper

    from codesign.workload.cse_onnx import merge_common_onnx_nodes

    pools = [helper.make_node("MaxPool", ["x"], ["p1", ""], kernel_shape=[2, 2]),
             helper.make_node("MaxPool", ["x"], ["p2", "i2"], kernel_shape=[2, 2]),
             helper.make_node("Relu", ["i2"], ["r"])]
    kept, renamed = merge_common_onnx_nodes(pools)
    assert len(kept) == 3 and not renamed  # one omits the indices the other returns
    clips = [helper.make_node("Relu", ["x"], ["r1"]), helper.make_node("Relu", ["x"], ["r2"]),
             helper.make_node("Clip", ["r2", "", "hi"], ["c"])]
    kept, renamed = merge_common_onnx_nodes(clips)
    assert renamed == {"r2": "r1"} and list(kept[-1].input) == ["r1", "", "hi"]
    other = [helper.make_node("BiasDropout", ["x"], ["d1"], domain="com.microsoft"),
             helper.make_node("BiasDropout", ["x"], ["d2"], domain="com.microsoft")]
    assert len(merge_common_onnx_nodes(other)[0]) == 2
