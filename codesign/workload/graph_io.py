"""The tensor graph of a layers file: the chain old files imply, and the ``tensors:`` map and
per-layer ``inputs:``/``outputs:`` lists of the graph format (docs/workload.md)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from codesign.errors import ConfigError
from codesign.workload.graph import GraphBuilder, TensorGraph, check_graph, new_tensor
from codesign.workload.layer import Layer

_TENSOR_KEYS = ("shape", "elements", "input", "output", "weight")


def output_shape(layer: Layer) -> tuple[int, ...]:
    """The shape of the tensor a layer writes, in loop-nest order (N, K, P, Q)."""
    return (layer.N, layer.K, layer.P, layer.Q)


def input_shape_of(layer: Layer) -> tuple[int, ...]:
    """The shape of the (first) activation a layer reads, in loop-nest order (N, C, H, W)."""
    return (layer.N, layer.C, layer.H, layer.W)


def weight_shape(layer: Layer) -> tuple[int, ...]:
    return (layer.K, layer.C // layer.groups, layer.R, layer.S)


def _add_weight(builder: GraphBuilder, layer: Layer) -> list[str]:
    if not layer.static_weights:
        return []
    return [builder.tensor(f"{layer.name}.weight", weight_shape(layer), is_weight=True)]


def chain_graph(layers: Sequence[Layer], input_shape: Sequence[int] = ()) -> TensorGraph:
    """The graph of a plain list of layers: each layer reads what the one before it wrote when the
    sizes agree (its output elements are the layer's input elements); otherwise, and for the first
    layer, it reads a network input of its own. The last layer's output is the network output.
    A multi-operand layer (a residual add) reads only its chain input: a list has no other edges.

    Built in one pass over plain dicts (not ``GraphBuilder``'s per-tensor calls: a 2,000-layer
    file builds in a few ms); a tensor id declared twice keeps its first shape, as there."""
    names = {layer.name for layer in layers}
    shapes: dict[str, tuple[int, ...]] = {}
    inputs: set[str] = set()
    weights: set[str] = set()
    reads: list[tuple[str, ...]] = []
    writes: list[tuple[str, ...]] = []
    prev_out = -1
    for i, layer in enumerate(layers):
        name, in_shape, out_shape = layer.name, input_shape_of(layer), output_shape(layer)
        input_elems = math.prod(in_shape)
        if i and prev_out == input_elems:
            source = layers[i - 1].name
        else:
            source = "input" if i == 0 and "input" not in names else f"{name}.in"
            shape = tuple(input_shape) if i == 0 and math.prod(input_shape or (0,)) == input_elems else in_shape
            shapes.setdefault(source, shape)
            inputs.add(source)
        shapes.setdefault(name, out_shape)
        if layer.static_weights:
            weight = f"{name}.weight"
            shapes.setdefault(weight, weight_shape(layer))
            weights.add(weight)
            reads.append((source, weight) if weight != source else (source,))
        else:
            reads.append((source,))
        writes.append((name,))
        prev_out = math.prod(out_shape)
    outputs = {layers[-1].name} - weights if layers else set()
    # Every declared id is read (inputs, weights) or written (outputs): none is dropped as unused.
    tensors = tuple([new_tensor(tid, shape, math.prod(shape), tid in inputs, tid in outputs, tid in weights)
                     for tid, shape in shapes.items()])
    graph = TensorGraph(tensors=tensors, reads=tuple(reads), writes=tuple(writes))
    check_graph(graph)
    return graph


def _id_list(value: Any, where: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(where, f"must be a list of tensor ids, got {value!r}")
    return list(value)


def _tensor_entry(raw: Any, where: str) -> dict[str, Any]:
    if isinstance(raw, list):
        raw = {"shape": raw}
    if not isinstance(raw, dict):
        raise ConfigError(where, f"expected a shape list or a mapping with 'shape', got {raw!r}")
    unknown = sorted(set(raw) - set(_TENSOR_KEYS))
    if unknown:
        raise ConfigError(where, f"unknown key(s) {', '.join(unknown)} (known: {', '.join(_TENSOR_KEYS)})")
    shape = raw.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ConfigError(f"{where}.shape", f"must be a list of positive integers, got {shape!r}")
    for flag in ("input", "output", "weight"):
        if not isinstance(raw.get(flag, False), bool):
            raise ConfigError(f"{where}.{flag}", f"must be true or false, got {raw[flag]!r}")
    elements = raw.get("elements", math.prod(shape))
    if not isinstance(elements, int) or isinstance(elements, bool) or elements < 1:
        raise ConfigError(f"{where}.elements", f"must be a positive integer, got {elements!r}")
    return {**raw, "elements": elements}


def graph_from_dicts(layers: Sequence[Layer], edges: Sequence[tuple[Any, Any]], tensors: Any,
                     input_shape: Sequence[int], where: str) -> TensorGraph:
    """Validate a layers file's graph: ``edges`` holds each layer's raw ``inputs``/``outputs``
    (None: the previous layer's output / a tensor named after the layer), ``tensors`` the optional
    ``tensors:`` map. Tensors read but never written are network inputs (weights when flagged);
    without any ``output: true`` flag, tensors written and never read are the network outputs."""
    if tensors is not None and not isinstance(tensors, dict):
        raise ConfigError(f"{where}.tensors", "must be a mapping of tensor id to shape")
    declared = {str(tid): _tensor_entry(raw, f"{where}.tensors.{tid}") for tid, raw in (tensors or {}).items()}
    builder = GraphBuilder()
    for tid, entry in declared.items():
        builder.tensor(tid, entry["shape"], is_weight=entry.get("weight", False), elements=entry["elements"])
    reads: list[list[str]] = []
    writes: list[list[str]] = []
    for i, (layer, (raw_in, raw_out)) in enumerate(zip(layers, edges, strict=True)):
        ins = _id_list(raw_in, f"{where}.layers[{i}].inputs")
        outs = _id_list(raw_out, f"{where}.layers[{i}].outputs") or [layer.name]
        if ins is None:
            ins = [writes[-1][0]] if writes else ["input"]
            if not writes:
                declared.setdefault("input", {"shape": list(input_shape_of(layer)), "elements": layer.input_elems})
                if math.prod(input_shape or (0,)) == layer.input_elems:
                    declared["input"].update(shape=list(input_shape), elements=math.prod(input_shape))
                builder.tensor("input", declared["input"]["shape"], elements=declared["input"]["elements"])
        if not ins:
            raise ConfigError(f"{where}.layers[{i}].inputs", "must name at least one tensor")
        reads.append(ins)
        writes.append(outs)
    written = {t for outs in writes for t in outs}
    for i, (layer, ins, outs) in enumerate(zip(layers, reads, writes, strict=True)):
        for tid in outs:
            builder.tensor(tid, output_shape(layer))
        for tid in ins:
            if tid not in written:
                if tid not in declared:
                    raise ConfigError(f"{where}.layers[{i}].inputs", f"unknown tensor {tid!r}: no layer writes it "
                                      "and it is not declared under 'tensors'")
                builder.tensor(tid, declared[tid]["shape"], is_input=tid not in builder.weights)
        if not any(t in builder.weights for t in ins):
            ins = ins + _add_weight(builder, layer)
        builder.layer(ins, outs)
    flagged = [tid for tid, entry in declared.items() if entry.get("output")]
    if not flagged:
        read = {t for ins in builder.reads for t in ins}
        flagged = [t for outs in writes for t in outs if t not in read]
    builder.mark_outputs(flagged)
    unused = sorted(set(declared) - {t for ins in builder.reads for t in ins} - written)
    if unused:
        raise ConfigError(f"{where}.tensors", f"tensor(s) no layer reads or writes: {', '.join(unused)}")
    for tid, entry in declared.items():
        if entry.get("input") and tid in written:
            raise ConfigError(f"{where}.tensors.{tid}.input", "a network input cannot be written by a layer")
    return builder.build(where)


def graph_to_dicts(graph: TensorGraph) -> tuple[dict[str, Any], list[tuple[list[str], list[str]]]]:
    """The ``tensors:`` map and each layer's (inputs, outputs) lists that ``graph_from_dicts`` reads
    back into the same graph."""
    tensors = {t.id: t.to_dict() for t in graph.tensors}
    edges = [(list(r), list(w)) for r, w in zip(graph.reads, graph.writes, strict=True)]
    return tensors, edges
