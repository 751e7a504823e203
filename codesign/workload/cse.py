"""Common-subexpression elimination: one layer for one computation, as deployment compilers run
a network (TFLite's converter ends its pass pipeline with MLIR's CSE pass,
tensorflow/compiler/mlir/lite/tf_tfl_passes.cc; XLA and TVM do the same).

A traced model can compute the same thing twice. NAS-Bench-201's ReLU-Conv-BN edges each start
with their own ReLU, so a cell node read by three convolutions is rectified three times in PyTorch
and once on an NPU; two average-pool edges from one node are one pool. Every layer is a pure
function of the tensors it reads (weights included), so a layer with the same operation and
parameters as an earlier one, reading the same tensors, is dropped and its readers read the
earlier layer's result."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from codesign.workload.graph import GraphBuilder
from codesign.workload.layer import Layer


def computation_key(layer: Layer, reads: tuple[str, ...]) -> tuple[Any, ...]:
    """What a layer computes: every field but its name, on the tensors it reads. ``extra`` counts
    (it names the function: a ReLU and a sigmoid with the same shape differ there)."""
    fields = asdict(layer)
    fields.pop("name")
    extra = json.dumps(fields.pop("extra"), sort_keys=True, default=str)
    return (tuple(fields.items()), extra, reads)


def merge_common_layers(layers: list[Layer], graph: GraphBuilder) -> list[Layer]:
    """``layers`` without the layers that repeat an earlier computation (``computation_key``);
    ``graph`` (aligned with ``layers``) is edited in place: the readers of a dropped layer's
    tensors read the kept layer's, and a dropped network output becomes the kept one."""
    renamed: dict[str, str] = {}
    first: dict[tuple[Any, ...], int] = {}
    kept: list[Layer] = []
    reads: list[list[str]] = []
    writes: list[list[str]] = []
    for layer, layer_reads, layer_writes in zip(layers, graph.reads, graph.writes, strict=True):
        now_reads = [renamed.get(t, t) for t in layer_reads]
        key = computation_key(layer, tuple(now_reads))
        if key in first and len(writes[first[key]]) == len(layer_writes):
            renamed.update(zip(layer_writes, writes[first[key]], strict=True))
            continue
        first.setdefault(key, len(kept))
        kept.append(layer)
        reads.append(now_reads)
        writes.append(list(layer_writes))
    if renamed:
        graph.replace_layers(reads, writes, renamed)
    return kept
