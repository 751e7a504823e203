"""A network at one input shape and batch: an ordered tuple of layers, with a struct-of-arrays
view that the vectorised cost models read."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from codesign.errors import ConfigError
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
    """Ordered layers of one network at one input shape and batch."""

    name: str
    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __len__(self) -> int:
        return len(self.layers)

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
        return {
            "name": self.name,
            "input_shape": list(self.input_shape),
            "layers": [layer.to_dict() for layer in self.layers],
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "workload") -> Workload:
        """Validate a plain dict (as in a layers YAML file) into a workload."""
        if isinstance(data, list):
            data = {"layers": data}
        if not isinstance(data, dict):
            raise ConfigError(where, "expected a mapping with a 'layers' list, or a list of layers")
        unknown = sorted(set(map(str, data)) - {"name", "input_shape", "layers"})
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]}", "unknown key (known: name, input_shape, layers)")
        raw_layers = data.get("layers")
        if not isinstance(raw_layers, list) or not raw_layers:
            raise ConfigError(f"{where}.layers", "must be a non-empty list of layers")
        layers = tuple(Layer.from_dict(item, f"{where}.layers[{i}]") for i, item in enumerate(raw_layers))
        names = [layer.name for layer in layers]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ConfigError(f"{where}.layers", f"duplicate layer name(s): {', '.join(dup)}")
        name = data.get("name", "workload")
        if not isinstance(name, str):
            raise ConfigError(f"{where}.name", f"must be a string, got {type(name).__name__}")
        shape = data.get("input_shape", [])
        if not isinstance(shape, list) or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0
                                                  for x in shape):
            raise ConfigError(f"{where}.input_shape", f"must be a list of positive integers, got {shape!r}")
        return cls(name=name, layers=layers, input_shape=tuple(shape))

    def save_yaml(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False))

    @classmethod
    def load_yaml(cls, path: str | Path) -> Workload:
        """Read a layers file in loop-nest notation (see docs/workload.md)."""
        return cls.from_dict(read_yaml(path, "workload file"), where=Path(path).name)


def load_workload(path: str | Path) -> Workload:
    """A workload file: an ONNX model (``*.onnx``) or a layers YAML in loop-nest notation."""
    if Path(path).suffix.lower() == ".onnx":
        from codesign.workload.onnx_import import workload_from_onnx

        return workload_from_onnx(path)
    return Workload.load_yaml(path)
