"""Inference-time fusion: a BatchNorm folded into the conv or linear layer that writes its input,
and an activation run in the output path of the MAC layer that writes its input (as NPUs do)."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from codesign.workload.graph import GraphBuilder
from codesign.workload.layer import Layer
from codesign.workload.ops import ACT_OPS


def _fusable(prev: Layer, layer: Layer) -> Layer | None:
    """``prev`` with ``layer`` fused in, or None when ``layer`` cannot run in its output path."""
    if not prev.is_mac or prev.output_elems != layer.output_elems:
        return None
    done = list(prev.extra.get("fused", []))
    has_act = any(kind in ACT_OPS for kind in done)
    kind = layer.extra.get("kind", "")
    if layer.op == "norm" and kind == "batch_norm" and prev.op in ("conv", "linear") and not has_act:
        return replace(prev, extra={**prev.extra, "fused": done + [kind]})
    if layer.op == "act" and not has_act:
        return replace(prev, extra={**prev.extra, "fused": done + [kind]}, post_ops=prev.post_ops + layer.ops_per_output)
    return None


def fuse_layers(layers: list[Layer], graph: GraphBuilder | None = None) -> list[Layer]:
    """Fold BatchNorm into the conv or linear layer before it and fuse an activation into the MAC
    layer before it (at most one activation per MAC layer).

    With a ``graph`` (aligned with ``layers``, edited in place) a layer fuses only into the layer
    that writes its input, when nothing else reads that tensor and it is not a network output; the
    fused layer writes what the absorbed one wrote. Without one (no edges known), the immediate
    predecessor in order with the same number of outputs is taken, which matches conv → bn → act.
    """
    readers: Counter[str] = Counter(t for reads in graph.reads for t in reads) if graph is not None else Counter()
    outputs = set(graph.outputs) if graph is not None else set()
    fused: list[Layer] = []
    for layer in layers:
        prev = fused[-1] if fused else None
        merged = _fusable(prev, layer) if prev is not None else None
        if merged is not None and graph is not None:
            i = len(fused)
            between = graph.writes[i - 1]
            first = next((t for t in graph.reads[i] if t not in graph.weights), None)
            if not (len(between) == 1 and first == between[0] and readers[first] == 1 and first not in outputs):
                merged = None
        if merged is None:
            fused.append(layer)
            continue
        fused[-1] = merged
        if graph is not None:
            graph.merge_into_previous(len(fused))
    return fused
