"""Common-subexpression elimination on an ONNX graph before its nodes become layers (the torch.fx
pass and why: ``codesign.workload.cse_fx``). ONNX graphs assign each value once and mutate none, so
two nodes are the same computation when operator, domain, attributes and inputs are equal; random
operators are not merged."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: ONNX operators whose result is random.
_ONNX_RANDOM = frozenset({"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
                          "Multinomial", "Bernoulli", "Dropout"})


def merge_common_onnx_nodes(nodes: Iterable[Any]) -> tuple[list[Any], dict[str, str]]:
    """ONNX ``nodes`` (in graph order) without those that repeat an earlier node, their inputs
    renamed, and the renaming of the dropped nodes' outputs (for the graph's outputs)."""
    from onnx import NodeProto

    renamed: dict[str, str] = {}
    first: dict[Any, Any] = {}
    kept: list[Any] = []
    for node in nodes:
        inputs = [renamed.get(x, x) for x in node.input]
        if list(node.input) != inputs:
            copy = NodeProto()
            copy.CopyFrom(node)
            del copy.input[:]
            copy.input.extend(inputs)
            node = copy
        key = None
        if node.op_type not in _ONNX_RANDOM and node.output:
            attrs = tuple(sorted((a.name, a.SerializeToString()) for a in node.attribute))
            key = (node.domain, node.op_type, attrs, tuple(inputs), len(node.output))
        if key is not None and key in first:
            renamed.update(zip(node.output, first[key].output, strict=True))
            continue
        if key is not None:
            first[key] = node
        kept.append(node)
    return kept, renamed
