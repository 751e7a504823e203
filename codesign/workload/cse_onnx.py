"""Common-subexpression elimination on an ONNX graph before its nodes become layers (the torch.fx
pass and why: ``codesign.workload.cse_fx``). ONNX graphs assign each value once and mutate none, so
two nodes of the standard domain are the same computation when operator, attributes, inputs and
which optional outputs they omit are equal; random operators and other domains are not merged."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The standard operator set's domain names: operators elsewhere (``com.microsoft``, ...) are not
#: merged, their semantics (random ones among them) being unknown here.
_DEFAULT_DOMAINS = ("", "ai.onnx")
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
        inputs = [renamed.get(x, x) if x else x for x in node.input]
        if list(node.input) != inputs:
            copy = NodeProto()
            copy.CopyFrom(node)
            del copy.input[:]
            copy.input.extend(inputs)
            node = copy
        key = None
        if node.op_type not in _ONNX_RANDOM and node.domain in _DEFAULT_DOMAINS and any(node.output):
            attrs = tuple(sorted((a.name, a.SerializeToString()) for a in node.attribute))
            # which optional outputs are omitted ("") is part of what a node is
            key = (node.op_type, attrs, tuple(inputs), tuple(bool(o) for o in node.output))
        if key is not None and key in first:
            renamed.update((mine, theirs) for mine, theirs in zip(node.output, first[key].output, strict=True) if mine)
            continue
        if key is not None:
            first[key] = node
        kept.append(node)
    return kept, renamed
