"""A mapping given explicitly as a loop nest (Timeloop's "model" mode), instead of searched.

Used to score a layer under the mapping another tool chose, so that its access counts and energy
can be compared formula for formula.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from codesign.costmodel.dataflows import Candidates, HardwareView
from codesign.costmodel.loopnest import DIMS, LEVELS, Loop, LoopNest, Shape, extents
from codesign.errors import ConfigError

#: The operands of a layer: weights, input activations, outputs (partial sums).
OPERANDS = ("W", "I", "O")


@dataclass
class FixedMapping:
    """The same loop nest for every layer: ``loops`` innermost first as (level, dim, count).

    ``keep`` says which operands each PE's register file and the global buffer hold;
    ``partition`` how many bytes of the register file each operand may use (capacity check)."""

    loops: Sequence[tuple[str, str, float]]
    keep: dict[str, tuple[bool, bool]]
    partition: dict[str, float]
    stationary: tuple[str, ...] = ()
    name: str = "fixed"
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, (level, dim, count) in enumerate(self.loops):
            if level not in LEVELS:
                raise ConfigError(f"mapping.loops[{i}].level", f"unknown level {level!r} (known: {', '.join(LEVELS)})")
            if dim not in DIMS:
                raise ConfigError(f"mapping.loops[{i}].dim", f"unknown dimension {dim!r} (known: {', '.join(DIMS)})")
            if isinstance(count, bool) or not isinstance(count, (int, float)) or not 1 <= count < math.inf:
                raise ConfigError(f"mapping.loops[{i}].count", f"must be >= 1 (and finite), got {count!r}")
        if not isinstance(self.keep, dict) or set(self.keep) != set(OPERANDS):
            raise ConfigError("mapping.keep", f"must map each operand {', '.join(OPERANDS)} to "
                                              f"(register file, global buffer) flags, got {self.keep!r}")
        for op, flags in self.keep.items():
            if not isinstance(flags, (tuple, list)) or len(flags) != 2 or not all(isinstance(f, bool) for f in flags):
                raise ConfigError(f"mapping.keep.{op}", f"must be two booleans (register file, global buffer), "
                                                        f"got {flags!r}")
        if not isinstance(self.partition, dict):
            raise ConfigError("mapping.partition", f"must map operands to bytes, got {self.partition!r}")
        for op, size in self.partition.items():
            if op not in OPERANDS:
                raise ConfigError(f"mapping.partition.{op}", f"unknown operand (known: {', '.join(OPERANDS)})")
            if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 <= size < math.inf:
                raise ConfigError(f"mapping.partition.{op}", f"must be a finite number of bytes >= 0, got {size!r}")

    def __call__(self, shape: Shape, hw: HardwareView, batch_knob: bool = False, tiling: bool = True) -> Candidates:
        loops = [Loop(level, DIMS.index(dim), float(count)) for level, dim, count in self.loops]
        nest = LoopNest(loops, keep=dict(self.keep), stationary=self.stationary)
        ones = np.ones((len(shape.macs), 1))
        # The loop counts must cover every loop bound of the layer.
        covered = ones.astype(bool)
        for d in range(len(DIMS)):
            total = np.prod([lp.count for lp in loops if lp.dim == d]) if any(lp.dim == d for lp in loops) else 1.0
            covered &= total >= shape.bounds[d]
        words = {op: self.partition.get(op, 0.0) / (hw.psum_bytes if op == "O" else hw.word_bytes) for op in "WIO"}
        probe = _probe_tiles(nest, shape)
        fits_rf = covered.copy()
        glb_bytes = 0.0
        for op in "WIO":
            keep_rf, keep_glb = self.keep[op]
            if keep_rf:
                fits_rf &= probe["rf"][op] <= words[op]
            if keep_glb:
                glb_bytes = glb_bytes + probe["glb"][op] * (hw.psum_bytes if op == "O" else hw.word_bytes)
        fits_glb = (glb_bytes <= hw.glb_bytes) & covered
        partition = {op: float(self.partition.get(op, 0.0)) for op in "WIO"}
        return Candidates(nest, fits_rf, fits_glb, partition, {}, _Named(self.name), shape, uncovered=~covered)


def _probe_tiles(nest: LoopNest, shape: Shape) -> dict[str, dict[str, np.ndarray]]:
    e_rf = extents(nest.loops, {"rf"})
    e_glb = extents(nest.loops, {"rf", "spatial", "glb"})
    return {"rf": {op: np.asarray(shape.tile(op, e_rf), dtype=float) for op in "WIO"},
            "glb": {op: np.asarray(shape.tile(op, e_glb), dtype=float) for op in "WIO"}}


@dataclass(frozen=True)
class _Named:
    """The description of every layer under a fixed mapping: its name (picklable, unlike a lambda)."""

    name: str

    def __call__(self, values: dict[str, float]) -> str:
        return self.name
