"""The tensors of a workload and which layers read and write them: the producer → consumer edges
that cut queries (split computing) and inter-layer residency (cost models) read.

A tensor is the data one layer writes (or a network input, or a weight). Views of it — reshape,
flatten, permute, slices, ``getitem`` of a split, dropout at inference — are the same tensor; a
concatenation is its parts. Layers are in topological order: a layer reads only network inputs,
weights and tensors written by earlier layers.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np

from codesign.errors import ConfigError


@dataclass(frozen=True)
class Tensor:
    """One tensor of a workload: an activation, a network input/output, or a weight."""

    id: str
    shape: tuple[int, ...]
    elements: int
    is_input: bool = False
    is_output: bool = False
    is_weight: bool = False

    @property
    def is_activation(self) -> bool:
        """Data that flows between layers (anything but a weight)."""
        return not self.is_weight

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"shape": list(self.shape)}
        if self.elements != math.prod(self.shape):
            out["elements"] = self.elements
        for flag, key in ((self.is_input, "input"), (self.is_output, "output"), (self.is_weight, "weight")):
            if flag:
                out[key] = True
        return out


def new_tensor(tid: str, shape: tuple[int, ...], elements: int, is_input: bool, is_output: bool,
               is_weight: bool) -> Tensor:
    """``Tensor(tid, shape, ...)`` without the frozen dataclass's ``object.__setattr__`` per field
    (half the time; a 2,000-layer chain declares 6,000 tensors). ``Tensor`` has no checks to skip."""
    tensor = object.__new__(Tensor)
    tensor.__dict__.update(id=tid, shape=shape, elements=elements, is_input=is_input, is_output=is_output,
                           is_weight=is_weight)
    return tensor


def tensor_bytes(elements: np.ndarray | int, bits: int) -> np.ndarray | int:
    """Bytes of tensors of ``elements`` at ``bits`` per element, each rounded up to whole bytes."""
    return -(-np.asarray(elements, dtype=np.int64) * int(bits) // 8)


@dataclass(frozen=True)
class TensorGraph:
    """Tensors plus, per layer, the ids it reads and writes. Build one with ``GraphBuilder``, which
    validates it (``check_graph``)."""

    tensors: tuple[Tensor, ...]
    reads: tuple[tuple[str, ...], ...]
    writes: tuple[tuple[str, ...], ...]
    _bytes_cache: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                                compare=False, hash=False)

    def __len__(self) -> int:
        return len(self.reads)

    def __getstate__(self) -> dict[str, object]:
        # Derived lookups and caches are rebuilt on demand, not pickled (Ray ships workloads).
        return {"tensors": self.tensors, "reads": self.reads, "writes": self.writes}

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_bytes_cache", {})

    @cached_property
    def by_id(self) -> Mapping[str, Tensor]:
        """Tensor of each id (read-only)."""
        return MappingProxyType({t.id: t for t in self.tensors})

    @cached_property
    def producer(self) -> Mapping[str, int]:
        """Index of the layer that writes each activation (network inputs: -1)."""
        out = {t.id: -1 for t in self.tensors if t.is_input}
        for i, writes in enumerate(self.writes):
            out.update(dict.fromkeys(writes, i))
        return MappingProxyType(out)

    @cached_property
    def readers(self) -> Mapping[str, tuple[int, ...]]:
        """Indices of the layers that read each tensor, in order."""
        out: dict[str, list[int]] = {t.id: [] for t in self.tensors}
        for i, reads in enumerate(self.reads):
            for tid in reads:
                out[tid].append(i)
        return MappingProxyType({k: tuple(v) for k, v in out.items()})

    @cached_property
    def _live(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(activation indices into ``tensors``, first live cut, last live cut): an activation is
        live at cuts ``first..last`` (a cut ``c`` lies after layer ``c``; ``-1`` before all)."""
        n = len(self.reads)
        idx, first, last = [], [], []
        for k, tensor in enumerate(self.tensors):
            if tensor.is_weight:
                continue
            start = self.producer[tensor.id]
            readers = self.readers[tensor.id]
            end = n - 1 if tensor.is_output else (readers[-1] - 1 if readers else start - 1)
            if end >= start:
                idx.append(k)
                first.append(start)
                last.append(end)
        return (np.array(idx, dtype=np.int64), np.array(first, dtype=np.int64), np.array(last, dtype=np.int64))

    def cut_tensors(self, cut: int) -> tuple[Tensor, ...]:
        """Activations crossing a cut after layer ``cut`` (``-1``: before the first layer)."""
        self._check_cut(cut)
        idx, first, last = self._live
        hit = idx[(first <= cut) & (last >= cut)]
        return tuple(self.tensors[k] for k in hit)

    def cut_bytes_all(self, bits: int) -> np.ndarray:
        """Bytes crossing each cut ``-1..len-1`` at ``bits`` per element (read-only, cached)."""
        cached = self._bytes_cache.get(bits)
        if cached is not None:
            return cached
        idx, first, last = self._live
        elements = np.array([self.tensors[k].elements for k in idx], dtype=np.int64)
        diff = np.zeros(len(self.reads) + 2, dtype=np.int64)
        sizes = tensor_bytes(elements, bits)
        np.add.at(diff, first + 1, sizes)
        np.add.at(diff, last + 2, -sizes)
        out = np.cumsum(diff[:-1])
        out.setflags(write=False)
        self._bytes_cache[bits] = out
        return out

    def cut_bytes(self, cut: int, bits: int) -> int:
        """Bytes of the activations crossing a cut after layer ``cut`` at ``bits`` per element."""
        self._check_cut(cut)
        return int(self.cut_bytes_all(bits)[cut + 1])

    def _check_cut(self, cut: int) -> None:
        if not -1 <= cut < len(self.reads):
            raise IndexError(f"cut {cut} outside -1..{len(self.reads) - 1}")


def check_graph(graph: TensorGraph, where: str = "workload") -> None:
    """Raise ``ConfigError`` (naming ``where.layers[i].inputs`` / ``.outputs``) unless every id is
    declared, each activation is written once, and layers read only what earlier layers wrote."""
    if len(graph.reads) != len(graph.writes):
        raise ConfigError(where, f"{len(graph.reads)} read lists for {len(graph.writes)} write lists")
    ids = [t.id for t in graph.tensors]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ConfigError(f"{where}.tensors", f"duplicate tensor id(s): {', '.join(dup)}")
    by_id = {t.id: t for t in graph.tensors}
    written: dict[str, int] = {}
    for i, (reads, writes) in enumerate(zip(graph.reads, graph.writes, strict=True)):
        for tid in writes:
            if tid not in by_id:
                raise ConfigError(f"{where}.layers[{i}].outputs", f"unknown tensor {tid!r}")
            tensor = by_id[tid]
            if tensor.is_weight or tensor.is_input:
                raise ConfigError(f"{where}.layers[{i}].outputs",
                                  f"{tid!r} is a {'weight' if tensor.is_weight else 'network input'}")
            if tid in written:
                raise ConfigError(f"{where}.layers[{i}].outputs",
                                  f"{tid!r} is already written by layer {written[tid]}")
            written[tid] = i
        for tid in reads:
            if tid not in by_id:
                raise ConfigError(f"{where}.layers[{i}].inputs", f"unknown tensor {tid!r}")
            tensor = by_id[tid]
            if not (tensor.is_weight or tensor.is_input) and written.get(tid, i) >= i:
                raise ConfigError(f"{where}.layers[{i}].inputs", f"{tid!r} is not written by an earlier "
                                  "layer (layers must be in topological order)")
    for tensor in graph.tensors:
        if not (tensor.is_weight or tensor.is_input) and tensor.id not in written:
            raise ConfigError(f"{where}.tensors.{tensor.id}", "an activation that no layer writes and that "
                              "is not a network input")


class GraphBuilder:
    """Collect tensors and layers' reads/writes in order, then build a ``TensorGraph``.

    Network outputs are marked explicitly (``mark_outputs``); activations that are written but never
    read and not marked stay non-outputs (dead values, such as a classifier's unused branch)."""

    def __init__(self) -> None:
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.elements: dict[str, int] = {}
        self.inputs: set[str] = set()
        self.weights: set[str] = set()
        self.outputs: list[str] = []
        self.reads: list[list[str]] = []
        self.writes: list[list[str]] = []

    def tensor(self, tid: str, shape: Sequence[int], *, is_input: bool = False, is_weight: bool = False,
               elements: int | None = None) -> str:
        """Declare a tensor (idempotent: a second declaration keeps the first shape)."""
        if tid not in self.shapes:
            self.shapes[tid] = tuple(int(d) for d in shape)
            self.elements[tid] = int(math.prod(self.shapes[tid]) if elements is None else elements)
        if is_input:
            self.inputs.add(tid)
        if is_weight:
            self.weights.add(tid)
        return tid

    def layer(self, reads: Iterable[str], writes: Iterable[str]) -> None:
        """Append one layer's reads and writes (duplicates dropped, order kept)."""
        self.reads.append(list(dict.fromkeys(reads)))
        self.writes.append(list(dict.fromkeys(writes)))

    def mark_outputs(self, ids: Iterable[str]) -> None:
        for tid in ids:
            if tid not in self.outputs and tid not in self.weights:
                self.outputs.append(tid)

    def merge_into_previous(self, i: int) -> None:
        """Fuse layer ``i`` into layer ``i - 1``: the earlier layer now writes what ``i`` wrote and
        reads its other inputs too; the tensor between them disappears."""
        between = set(self.writes[i - 1])
        extra = [t for t in self.reads[i] if t not in between]
        self.reads[i - 1] = list(dict.fromkeys(self.reads[i - 1] + extra))
        self.writes[i - 1] = self.writes[i]
        del self.reads[i], self.writes[i]
        for tid in between:
            self.shapes.pop(tid, None)

    def build(self, where: str = "workload") -> TensorGraph:
        """The validated graph (``check_graph``; errors name ``where``)."""
        used = {t for ids in self.reads for t in ids} | {t for ids in self.writes for t in ids} | set(self.outputs)
        outputs = set(self.outputs)
        tensors = tuple(
            Tensor(id=tid, shape=shape, elements=self.elements[tid], is_input=tid in self.inputs,
                   is_output=tid in outputs, is_weight=tid in self.weights)
            for tid, shape in self.shapes.items() if tid in used)
        graph = TensorGraph(tensors=tensors, reads=tuple(tuple(r) for r in self.reads),
                            writes=tuple(tuple(w) for w in self.writes))
        check_graph(graph, where)
        return graph
