"""One tier's per-layer cost as prefix sums, so that the cost of any contiguous run of layers
is a difference of two entries (Neurosurgeon's per-layer model, with the cost model's results)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codesign.costmodel.result import NetworkCost


@dataclass(frozen=True)
class TierProfile:
    """Prefix sums over layers: entry ``j`` is the cost of layers ``0 .. j-1`` (length L+1).

    ``bad[j]`` counts the layers before ``j`` the tier cannot run, so a run of layers ``a .. b-1``
    is runnable when ``bad[b] == bad[a]``; the latency and energy of unrunnable layers count 0 here.
    """

    name: str
    latency_s: np.ndarray
    energy_j: np.ndarray
    bad: np.ndarray
    reasons: tuple[str, ...] = ()

    @classmethod
    def from_layers(cls, name: str, latency_s: np.ndarray, energy_j: np.ndarray,
                    reasons: tuple[str, ...] = ()) -> TierProfile:
        """From per-layer latency and energy; non-finite entries mark layers the tier cannot run."""
        latency = np.asarray(latency_s, dtype=np.float64)
        energy = np.asarray(energy_j, dtype=np.float64)
        bad = ~(np.isfinite(latency) & np.isfinite(energy))
        return cls(name=name, latency_s=_prefix(np.where(bad, 0.0, latency)),
                   energy_j=_prefix(np.where(bad, 0.0, energy)), bad=_prefix(bad.astype(np.int64)),
                   reasons=reasons)

    @classmethod
    def from_cost(cls, name: str, cost: NetworkCost) -> TierProfile:
        """From a cost model's per-layer result; a hardware problem makes every layer unrunnable."""
        n = len(cost.cycles)
        if cost.hardware_problems:
            nan = np.full(n, np.nan)
            return cls.from_layers(name, nan, nan, tuple(cost.hardware_problems))
        latency = np.asarray(cost.cycles, dtype=np.float64) / cost.hardware.clock_hz
        energy = cost.layer_energy_j
        if cost.feasible:  # the common case in a search: no masking needed
            return cls(name=name, latency_s=_prefix(latency), energy_j=_prefix(energy),
                       bad=np.zeros(n + 1, dtype=np.int64))
        bad = np.array([bool(r) for r in cost.reasons], dtype=bool)
        return cls.from_layers(name, np.where(bad, np.nan, latency), energy, tuple(cost.infeasible_reasons))

    @classmethod
    def empty(cls, name: str, n_layers: int) -> TierProfile:
        """An absent tier: it may run no layer (every run but the empty one is unrunnable)."""
        return cls(name=name, latency_s=np.zeros(n_layers + 1), energy_j=np.zeros(n_layers + 1),
                   bad=np.arange(n_layers + 1, dtype=np.int64), reasons=(f"no {name} tier",))

    @property
    def n_layers(self) -> int:
        return len(self.latency_s) - 1


def _prefix(values: np.ndarray) -> np.ndarray:
    """``[0, v0, v0+v1, ...]``: entry ``j`` sums the first ``j`` values."""
    out = np.zeros(len(values) + 1, dtype=values.dtype)
    np.cumsum(values, out=out[1:])
    return out
