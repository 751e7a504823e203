"""The tensor graph: cut queries, the layers-file graph format, chains for plain lists, ONNX."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from codesign.errors import ConfigError
from codesign.workload import Layer, Tensor, Workload
from codesign.workload.extract import extract_workload
from tests.conftest import DATA

#: A residual block in the graph format: the skip branch ``x`` crosses the cuts after c1 and c2.
RESIDUAL = {
    "name": "res",
    "input_shape": [1, 8, 4, 4],
    "tensors": {"x": [1, 8, 4, 4]},
    "layers": [
        {"name": "c1", "op": "conv", "K": 8, "C": 8, "P": 4, "Q": 4, "inputs": ["x"], "outputs": ["a"]},
        {"name": "c2", "op": "conv", "K": 8, "C": 8, "P": 4, "Q": 4, "inputs": ["a"]},
        {"name": "add", "op": "eltwise", "K": 8, "C": 8, "P": 4, "Q": 4, "operands": 2, "inputs": ["c2", "x"]},
        {"name": "fc", "op": "linear", "K": 3, "C": 128},
    ],
}


def residual() -> Workload:
    return Workload.from_dict(RESIDUAL)


def test_cut_tensors_follow_the_skip_branch():
    w = residual()
    assert [[t.id for t in w.cut_tensors(c)] for c in range(-1, len(w))] == [
        ["x"], ["x", "a"], ["x", "c2"], ["add"], ["fc"]]
    assert w.cut_bytes_all(8).tolist() == [128, 256, 256, 128, 3]
    assert w.cut_bytes(0, 16) == 512 and w.cut_bytes(3, 4) == 2  # 3 elements at 4 bits: 1.5 bytes, rounded up
    assert w.reads(0) == ("x", "c1.weight") and w.writes(1) == ("c2",)
    x = w.tensors["x"]
    assert x == Tensor("x", (1, 8, 4, 4), 128, is_input=True, is_output=False, is_weight=False)
    assert w.tensors["c1.weight"].is_weight and w.tensors["fc"].is_output
    assert all(not t.is_weight for c in range(-1, len(w)) for t in w.cut_tensors(c))


def test_cut_bytes_all_is_cached_and_read_only():
    w = residual()
    first = w.cut_bytes_all(8)
    assert w.cut_bytes_all(8) is first and w.cut_bytes_all(4) is not first
    with pytest.raises(ValueError):
        first[0] = 0
    with pytest.raises(IndexError):
        w.cut_bytes(len(w), 8)


def test_graph_round_trips_through_dict_yaml_and_pickle(tmp_path):
    w = residual()
    assert Workload.from_dict(w.to_dict()) == w
    path = tmp_path / "res.yaml"
    w.save_yaml(path)
    back = Workload.load_yaml(path)
    assert back == w and back.graph == w.graph
    w.cut_bytes_all(8)
    again = pickle.loads(pickle.dumps(w))
    assert again.graph == w.graph and again.cut_bytes_all(8).tolist() == w.cut_bytes_all(8).tolist()


def test_traced_graph_round_trips_through_dict():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(3, 4, 1)

        def forward(self, x):
            return torch.cat([self.a(x), self.b(x)], 1).flatten(1).softmax(-1)

    w = extract_workload(Net(), (3, 4, 4))
    back = Workload.from_dict(w.to_dict())
    assert back.graph == w.graph and back.layers == w.layers
    # The concat is its parts: the softmax reads both convolutions' outputs.
    assert set(w.reads(2)) == {"a", "b"} and w.cut_bytes_all(8).tolist() == [48, 112, 128, 128]


def test_plain_lists_load_as_a_chain():
    w = Workload("n", (Layer(name="c", op="conv", K=4, C=2, P=3, Q=3, R=3, S=3),
                       Layer(name="r", op="act", K=4, C=4, P=3, Q=3),
                       Layer(name="fc", op="linear", K=10, C=512)))
    assert w.reads(1) == ("c",)
    # fc's 512 inputs are not r's 36 outputs: a list says nothing more, so it reads an input of its own.
    assert w.reads(2) == ("fc.in", "fc.weight") and w.tensors["fc.in"].is_input
    # Network inputs cross every cut until read; r's output, which nothing reads, crosses none.
    assert w.cut_bytes_all(8).tolist() == [50 + 512, 36 + 512, 512, 10]
    assert "tensors" not in w.to_dict() and "inputs" not in w.to_dict()["layers"][0]


def test_partial_edges_default_to_the_previous_layer():
    data = {"layers": [{"name": "a", "op": "act", "K": 2, "C": 2}, {"name": "b", "op": "act", "K": 2, "C": 2},
                       {"name": "s", "op": "eltwise", "K": 2, "C": 2, "operands": 2, "inputs": ["a", "b"]}]}
    w = Workload.from_dict(data)
    assert w.reads(0) == ("input",) and w.reads(1) == ("a",) and w.reads(2) == ("a", "b")
    assert [t.id for t in w.cut_tensors(1)] == ["a", "b"]


@pytest.mark.parametrize("change,field", [
    ({1: {"inputs": ["nope"]}}, "unknown tensor 'nope'"),
    ({0: {"inputs": ["c2"]}}, "not written by an earlier layer"),
    ({1: {"outputs": ["a"]}, 2: {"inputs": ["a", "x"]}}, "w.yaml.layers[1].outputs: 'a' is already written by layer 0"),
    ({1: {"outputs": ["c1.weight"]}, 2: {"inputs": ["x"]}}, "'c1.weight' is a weight"),
    ({1: {"outputs": ["x"]}, 2: {"inputs": ["x"]}}, "w.yaml.layers[0].inputs: 'x' is not written by an earlier layer"),
    ({1: {"inputs": 3}}, "layers[1].inputs"),
    ({"tensors": {"x": {"shape": [0]}}}, "tensors.x.shape"),
    ({"tensors": {"x": {"shape": [1], "colour": 1}}}, "unknown key(s) colour"),
    ({"tensors": {"x": [1, 8, 4, 4], "z": [2]}}, "no layer reads or writes: z"),
])
def test_bad_graphs_name_the_field(change, field):
    data = {**RESIDUAL, "layers": [dict(layer) for layer in RESIDUAL["layers"]]}
    for key, value in change.items():
        if key == "tensors":
            data["tensors"] = value
        else:
            data["layers"][key].update(value)
    with pytest.raises(ConfigError) as info:
        Workload.from_dict(data, where="w.yaml")
    assert field in str(info.value)


def test_fused_attention_inner_cuts():
    """One scaled_dot_product_attention node is three layers; inside it the scores (then the
    probabilities) and v cross the cut, q and k no longer do. By construction of the expected
    sizes (heads x tokens x tokens, heads x tokens x dim)."""
    class Attn(nn.Module):
        def forward(self, x):
            q, k, v = x.unbind(1)
            return F.scaled_dot_product_attention(q, k, v)

    w = extract_workload(Attn(), (3, 2, 5, 4))  # batch 1, q/k/v of 2 heads x 5 tokens x 4
    assert [layer.op for layer in w.layers] == ["matmul", "softmax", "matmul"]
    # q, k, v are views of one input: it stays live until v is read.
    assert w.cut_bytes_all(8).tolist() == [120, 50 + 120, 50 + 120, 40]


def test_fusion_follows_edges_not_order():
    """An activation reading another tensor of the same size is not fused into the conv before it."""
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(4, 4, 1)

        def forward(self, x):
            return self.c(x) + torch.relu(x)

    w = extract_workload(Net(), (4, 3, 3))
    assert [layer.op for layer in w.layers] == ["conv", "act", "eltwise"]
    assert w.layers[0].post_ops == 0 and w.reads(1) == ("x",)


def test_onnx_graph_equals_the_traced_graph(tmp_path):
    """Cross-check of the two front ends on the same network: ONNX (torchvision's ResNet-18 as
    ZigZag ships it) against torch.fx (timm's resnet18), every cut."""
    import timm

    from codesign.workload.onnx_import import workload_from_onnx

    onnx_w = workload_from_onnx(DATA / "zigzag" / "workload" / "resnet18.onnx")
    traced = extract_workload(timm.create_model("resnet18"), (3, 224, 224))
    assert [layer.op for layer in onnx_w.layers] == [layer.op for layer in traced.layers]
    assert np.array_equal(onnx_w.cut_bytes_all(8), traced.cut_bytes_all(8))
    assert [t.is_input for t in onnx_w.cut_tensors(-1)] == [True]


def test_workload_modules_do_not_loop_and_only_extraction_needs_torch():
    """The layering: ONNX import and the workload core do not import the torch.fx extractor or its
    tracer (so reading a layers file or an ONNX model needs no torch), and no workload module
    imports one that imports it back."""
    import ast
    from pathlib import Path

    import codesign.workload as package

    root = Path(package.__file__).parent
    imports: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        imports[f"codesign.workload.{path.stem}"] = names
    torch_users = {m for m, names in imports.items() if any(n == "torch" or n.startswith("torch.") for n in names)}
    assert torch_users == {"codesign.workload.extract", "codesign.workload.tracer", "codesign.workload.cse_fx"}
    assert not torch_users & imports["codesign.workload.onnx_import"]

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for dep in imports.get(start, ()):
            if dep == goal or (dep not in seen and reaches(dep, goal, seen | {dep})):
                return True
        return False

    loops = [m for m in imports if m != "codesign.workload.__init__" and reaches(m, m, set())]
    assert not loops


def test_the_documented_graph_file_loads():
    import re
    from pathlib import Path

    import yaml

    doc = (Path(__file__).resolve().parents[2] / "docs" / "workload.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    w = Workload.from_dict(yaml.safe_load(blocks[1]), where="docs/workload.md")
    assert w == Workload.from_dict({**RESIDUAL, "name": "residual"})
    assert [[t.id for t in w.cut_tensors(c)] for c in range(len(w))] == [["x", "a"], ["x", "c2"], ["add"], ["fc"]]


def test_onnx_export_keeps_the_edges(tmp_path):
    """A residual, a concat and a flatten exported to ONNX read back with the traced graph's cuts."""
    from codesign.workload.onnx_import import workload_from_onnx

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(4, 4, 1)
            self.c, self.f = nn.Conv2d(3, 4, 1), nn.Linear(128, 5)

        def forward(self, x):
            y = torch.relu(self.a(x))
            y = y + self.b(y)
            return self.f(torch.cat([y, self.c(x)], 1).flatten(1))

    model = Net().eval()
    path = tmp_path / "net.onnx"
    torch.onnx.export(model, (torch.zeros(1, 3, 4, 4),), str(path), dynamo=False, opset_version=17)
    from_onnx, traced = workload_from_onnx(path), extract_workload(model, (3, 4, 4))
    assert [layer.op for layer in from_onnx.layers] == [layer.op for layer in traced.layers]
    assert from_onnx.cut_bytes_all(8).tolist() == traced.cut_bytes_all(8).tolist()
    # x stays live until the last conv reads it: the skip across the whole residual block.
    assert "x" in {t.id for t in traced.cut_tensors(1)}
