"""A network at one input shape and batch: layers in topological order, the tensors they read and
write (``codesign.workload.graph``), and a struct-of-arrays view that the vectorised cost models
read."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from codesign.errors import ConfigError
from codesign.workload.graph import Tensor, TensorGraph
from codesign.workload.graph_io import chain_graph, graph_from_dicts, graph_to_dicts
from codesign.workload.layer import MAC_OPS, Layer
from codesign.yamlio import read_yaml

_INT_FIELDS = ("N", "K", "C", "P", "Q", "R", "S", "H", "W", "stride_h", "stride_w",
               "dilation_h", "dilation_w", "groups", "operands")


@dataclass(frozen=True)
class LayerArrays:
    """Column view of a workload: one int64/float64 array per loop-nest field."""

    N: np.ndarray
    K: np.ndarray
    C: np.ndarray
    P: np.ndarray
    Q: np.ndarray
    R: np.ndarray
    S: np.ndarray
    H: np.ndarray
    W: np.ndarray
    stride_h: np.ndarray
    stride_w: np.ndarray
    dilation_h: np.ndarray
    dilation_w: np.ndarray
    groups: np.ndarray
    operands: np.ndarray
    ops_per_output: np.ndarray
    is_mac: np.ndarray
    static_weights: np.ndarray
    macs: np.ndarray
    input_elems: np.ndarray
    weight_elems: np.ndarray
    output_elems: np.ndarray
    vector_ops: np.ndarray


@dataclass(frozen=True)
class Workload:
    """Layers of one network at one input shape and batch, in topological order, with their tensors.

    ``graph`` holds the tensors and each layer's reads and writes; without one the layers form a
    chain (see ``chain_graph``).
    """

    name: str
    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    graph: TensorGraph | None = None

    def __post_init__(self) -> None:
        if self.graph is None:
            object.__setattr__(self, "graph", chain_graph(self.layers, self.input_shape))
        elif len(self.graph) != len(self.layers):
            raise ConfigError("workload.tensors", f"graph has {len(self.graph)} layers, workload {len(self.layers)}")

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def tensors(self) -> Mapping[str, Tensor]:
        """Every tensor by id (read-only mapping, in declaration order)."""
        return self._graph.by_id

    @property
    def _graph(self) -> TensorGraph:
        assert self.graph is not None  # set in __post_init__
        return self.graph

    def reads(self, i: int) -> tuple[str, ...]:
        """Ids of the tensors layer ``i`` reads (activations first, in operand order, then weights)."""
        return self._graph.reads[i]

    def writes(self, i: int) -> tuple[str, ...]:
        """Ids of the tensors layer ``i`` writes."""
        return self._graph.writes[i]

    def cut_tensors(self, cut: int) -> tuple[Tensor, ...]:
        """Live activations crossing a cut placed after layer ``cut`` (``-1``: the network inputs;
        ``len - 1``: the network outputs): written at or before the cut (or a network input) and read
        after it, or a network output. Weights never count."""
        return self._graph.cut_tensors(cut)

    def cut_bytes(self, cut: int, bits: int) -> int:
        """Bytes of ``cut_tensors(cut)`` at ``bits`` per element (each tensor rounded up to bytes)."""
        return self._graph.cut_bytes(cut, bits)

    def cut_bytes_all(self, bits: int) -> np.ndarray:
        """``cut_bytes`` for every cut ``-1..len-1`` (length ``len + 1``; read-only, cached per bits)."""
        return self._graph.cut_bytes_all(bits)

    @property
    def macs(self) -> int:
        """Total multiply-accumulates."""
        return int(sum(layer.macs for layer in self.layers))

    @property
    def params(self) -> int:
        """Static weight elements (conv and linear weights; biases and norms excluded)."""
        return int(sum(layer.weight_elems for layer in self.layers if layer.static_weights))

    @cached_property
    def arrays(self) -> LayerArrays:
        """The struct-of-arrays view, built once per workload."""
        cols: dict[str, np.ndarray] = {
            name: np.array([getattr(layer, name) for layer in self.layers], dtype=np.int64)
            for name in _INT_FIELDS
        }
        cols["ops_per_output"] = np.array([layer.ops_per_output for layer in self.layers], dtype=np.float64)
        cols["is_mac"] = np.array([layer.op in MAC_OPS for layer in self.layers], dtype=bool)
        cols["static_weights"] = np.array([layer.static_weights for layer in self.layers], dtype=bool)
        for name in ("macs", "input_elems", "weight_elems", "output_elems"):
            cols[name] = np.array([getattr(layer, name) for layer in self.layers], dtype=np.float64)
        cols["vector_ops"] = np.array([layer.vector_ops for layer in self.layers], dtype=np.float64)
        return LayerArrays(**cols)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (the layers-file format); the graph is written only where it is not the chain
        the layers alone imply."""
        out: dict[str, Any] = {"name": self.name, "input_shape": list(self.input_shape)}
        layers = [layer.to_dict() for layer in self.layers]
        if self.graph != chain_graph(self.layers, self.input_shape):
            tensors, edges = graph_to_dicts(self._graph)
            out["tensors"] = tensors
            for row, (inputs, outputs) in zip(layers, edges, strict=True):
                row.update(inputs=inputs, outputs=outputs)
        out["layers"] = layers
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str = "workload") -> Workload:
        """Validate a plain dict (as in a layers YAML file) into a workload."""
        if isinstance(data, list):
            data = {"layers": data}
        if not isinstance(data, dict):
            raise ConfigError(where, "expected a mapping with a 'layers' list, or a list of layers")
        unknown = sorted(set(map(str, data)) - {"name", "input_shape", "layers", "tensors"})
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]}", "unknown key (known: name, input_shape, layers, tensors)")
        raw_layers = data.get("layers")
        if not isinstance(raw_layers, list) or not raw_layers:
            raise ConfigError(f"{where}.layers", "must be a non-empty list of layers")
        edges: list[tuple[Any, Any]] = [(None, None)] * len(raw_layers)
        plain = list(raw_layers)
        for i, item in enumerate(raw_layers):
            if isinstance(item, dict) and ("inputs" in item or "outputs" in item):
                edges[i] = (item.get("inputs"), item.get("outputs"))
                plain[i] = {k: v for k, v in item.items() if k not in ("inputs", "outputs")}
        layers = tuple([Layer.from_dict(item, f"{where}.layers[{i}]") for i, item in enumerate(plain)])
        names = [layer.name for layer in layers]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ConfigError(f"{where}.layers", f"duplicate layer name(s): {', '.join(dup)}")
        name = data.get("name", "workload")
        if not isinstance(name, str):
            raise ConfigError(f"{where}.name", f"must be a string, got {type(name).__name__}")
        raw_shape = data.get("input_shape", ())
        if not isinstance(raw_shape, list | tuple) or not all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in raw_shape):
            raise ConfigError(f"{where}.input_shape", f"must be a list of positive integers, got {raw_shape!r}")
        input_shape = tuple(int(x) for x in raw_shape)
        graph = None
        if data.get("tensors") is not None or any(e != (None, None) for e in edges):
            graph = graph_from_dicts(layers, edges, data.get("tensors"), input_shape, where)
        return cls(name=name, layers=layers, input_shape=input_shape, graph=graph)

    def save_yaml(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False))

    @classmethod
    def load_yaml(cls, path: str | Path) -> Workload:
        """Read a layers file in loop-nest notation (see docs/workload.md)."""
        return cls.from_dict(read_yaml(path, "workload file"), where=Path(path).name)
