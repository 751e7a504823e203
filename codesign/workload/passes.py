"""The graph passes a deployment compiler runs on a traced or imported network, in its order: one
layer per computation (``cse``), then BatchNorm folding and activation fusion (``fuse``). Both front
ends (``extract``, ``onnx_import``) run them, so a model reads the same layers either way."""
from __future__ import annotations

from codesign.workload.cse import merge_common_layers
from codesign.workload.fuse import fuse_layers
from codesign.workload.graph import GraphBuilder
from codesign.workload.layer import Layer


def compile_layers(layers: list[Layer], graph: GraphBuilder | None) -> list[Layer]:
    """``layers`` as compiled (``graph``, aligned with them, edited in place). Without a graph
    (layers from module hooks: no edges) only the fusion of consecutive layers runs: nothing says
    that two layers read the same tensor."""
    if graph is not None:
        layers = merge_common_layers(layers, graph)
    return fuse_layers(layers, graph)
