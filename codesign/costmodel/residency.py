"""Which activations stay on chip between consecutive layers (shared by the cost models).

Read by the workload's edges (``Workload.reads``/``writes``), not guessed from sizes. A layer's
*streamed input* is what its cost model reads as input activations: a MAC layer's first activation
(a matmul's second operand is read like weights), every activation a vector layer reads (both
operands of a residual add). The rule:

- a layer reads its input on chip when every tensor of its streamed input was written by the
  layer immediately before it, fits the buffer that layer wrote it to (``out_capacity``) and fits
  the buffer this layer reads it from (``in_capacity``);
- a layer leaves its output on chip (no DRAM write) when its next layer reads it on chip and no
  other layer reads it and it is not a network output: a skip branch, or a tensor that a later
  layer reads, goes through DRAM.
"""
from __future__ import annotations

import weakref

import numpy as np

from codesign.workload import Workload

#: Per-workload edge arrays, keyed by identity (hashing a workload hashes all its layers, which
#: would cost more than the cost model); entries leave with their workload.
_EDGES: dict[int, tuple[weakref.ref[Workload], tuple[np.ndarray, np.ndarray]]] = {}


def _edges(workload: Workload) -> tuple[np.ndarray, np.ndarray]:
    """(streamed input written by the previous layer, output read only as the next layer's
    streamed input) per layer, from the tensor graph; one pass per workload, cached."""
    key = id(workload)
    hit = _EDGES.get(key)
    if hit is not None and hit[0]() is workload:
        return hit[1]
    result = _edge_arrays(workload)
    _EDGES[key] = (weakref.ref(workload, lambda _ref, k=key: _EDGES.pop(k, None)), result)
    return result


def _edge_arrays(workload: Workload) -> tuple[np.ndarray, np.ndarray]:
    graph = workload.graph
    assert graph is not None
    n = len(workload.layers)
    by_id, producer, readers = graph.by_id, graph.producer, graph.readers
    streamed: list[tuple[str, ...]] = []
    for i, layer in enumerate(workload.layers):
        acts = tuple(t for t in graph.reads[i] if not by_id[t].is_weight)
        streamed.append(acts[:1] if layer.is_mac else acts)
    chained = np.array([i > 0 and bool(s) and all(producer.get(t) == i - 1 for t in s)
                        for i, s in enumerate(streamed)], dtype=bool)
    sole = np.zeros(n, dtype=bool)
    for i in range(n - 1):
        writes = graph.writes[i]
        sole[i] = bool(writes) and all(
            readers[t] == (i + 1,) and not by_id[t].is_output and t in streamed[i + 1] for t in writes)
    return chained, sole


def activation_residency(workload: Workload, in_capacity: float, out_capacity: float,
                         word_bytes: float) -> tuple[np.ndarray, np.ndarray]:
    """(reads its input on chip, leaves its output on chip) per layer (see the module docstring)."""
    a = workload.arrays
    n = len(workload.layers)
    chained, sole = _edges(workload)
    fits_out = a.output_elems * word_bytes <= out_capacity
    fits_in = a.input_elems * word_bytes <= in_capacity
    resident_in = np.zeros(n, dtype=bool)
    if n > 1:
        resident_in[1:] = chained[1:] & fits_out[:-1] & fits_in[1:]
    resident_out = np.zeros(n, dtype=bool)
    resident_out[:-1] = resident_in[1:] & sole[:-1]
    return resident_in, resident_out
