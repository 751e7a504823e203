"""The indexed tracer records the graph ``torch.fx.symbolic_trace`` records, node for node, and
``record_shapes`` the shapes ``ShapeProp`` records, on networks that touch their parameters and
buffers in the ways fx resolves by name (module calls, functional use, a parameter shared under
two names, a plain tensor attribute, a constant made during the forward)."""
from __future__ import annotations

import copy

import pytest
import timm
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.fx.passes.shape_prop import ShapeProp

from codesign.workload.tracer import record_shapes, trace


class Tricky(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.scale = nn.Parameter(torch.ones(1, 8, 1, 1))
        self.register_buffer("offset", torch.zeros(1, 8, 1, 1))
        self.head = nn.Linear(8, 4)
        self.tied = nn.Linear(8, 4)
        self.tied.weight = self.head.weight  # one parameter, two names: fx names it by the first
        self.plain = torch.full((1, 8, 1, 1), 0.5)  # a tensor attribute, neither parameter nor buffer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.batch_norm(self.conv(x), self.bn.running_mean, self.bn.running_var, self.bn.weight, self.bn.bias,
                         training=False)
        y = F.relu(y * self.scale + self.offset + self.plain)
        y = y.mean(dim=(2, 3))
        return self.head(y) + F.linear(y, self.tied.weight) + torch.tensor(1.0)


def nodes(graph: torch.fx.Graph) -> list[tuple]:
    return [(n.op, n.name, str(n.target), str(n.args), str(n.kwargs)) for n in graph.nodes]


MODELS = {
    "tricky": (Tricky, (2, 3, 16, 16)),
    "mobilenetv3": (lambda: timm.create_model("mobilenetv3_small_050", pretrained=False), (1, 3, 64, 64)),
    "vit": (lambda: timm.create_model("vit_tiny_patch16_224", pretrained=False, img_size=32, patch_size=8),
            (1, 3, 32, 32)),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_graph_and_shapes_equal_fx_and_shapeprop(name):
    factory, shape = MODELS[name]
    torch.manual_seed(0)
    model = factory().eval()
    # fx stores constants made during the forward on the module it traces: each trace gets its own
    reference = torch.fx.symbolic_trace(copy.deepcopy(model))
    graph = trace(model)
    assert nodes(graph) == nodes(reference.graph)
    example = torch.randn(*shape)
    with torch.no_grad():
        ShapeProp(reference).propagate(example)
    out = record_shapes(model, graph, example)
    assert torch.equal(out, model(example))
    for ours, theirs in zip(graph.nodes, reference.graph.nodes, strict=True):
        assert ("tensor_meta" in ours.meta) == ("tensor_meta" in theirs.meta), ours.name
        if hasattr(theirs.meta.get("tensor_meta"), "shape"):
            assert ours.meta["tensor_meta"].shape == theirs.meta["tensor_meta"].shape, ours.name
            assert ours.meta["tensor_meta"].dtype == theirs.meta["tensor_meta"].dtype, ours.name


def test_tied_parameter_is_read_under_its_first_name():
    graph = trace(Tricky())
    attrs = {str(n.target) for n in graph.nodes if n.op == "get_attr"}
    assert "head.weight" in attrs and "tied.weight" not in attrs
    assert {"scale", "offset", "bn.running_mean"} <= attrs
