"""Cost-model results: per-layer arrays whose sums are the network totals.

A cost model fills one ``NetworkCost`` per (workload, accelerator) pair. Per-layer quantities are
numpy arrays aligned with ``workload.layers``; network totals are their sums (latency, energy,
traffic) or derived from them (power, EDP, utilisation), so that a report's rows add up to its
total by construction. An infeasible result keeps the reason for every layer that cannot run and
reports no totals (``NaN``), never a silent zero.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codesign.hardware.config import AcceleratorConfig
from codesign.workload import Workload

#: Energy components, in report order.
ENERGY_COMPONENTS = ("mac", "rf", "noc", "buffer", "dram", "vector", "clock", "leakage")


@dataclass(frozen=True)
class LayerCost:
    """The cost of one layer (a row of the per-layer report)."""

    name: str
    op: str
    macs: float
    cycles: float
    compute_cycles: float
    stall_cycles: float
    latency_s: float
    utilization: float
    energy_j: dict[str, float]
    traffic_bytes: dict[str, float]
    mapping: str
    feasible: bool
    reason: str

    @property
    def total_energy_j(self) -> float:
        return float(sum(self.energy_j.values()))

    def to_row(self) -> dict[str, Any]:
        """A flat dict for CSV/JSON reports (SI units)."""
        row: dict[str, Any] = {
            "name": self.name, "op": self.op, "macs": self.macs, "cycles": self.cycles,
            "compute_cycles": self.compute_cycles, "stall_cycles": self.stall_cycles,
            "latency_s": self.latency_s, "utilization": self.utilization,
            "energy_j": self.total_energy_j,
        }
        row.update({f"energy_{k}_j": v for k, v in self.energy_j.items()})
        row.update({f"{k.replace('.', '_')}_bytes": v for k, v in self.traffic_bytes.items()})
        row.update(mapping=self.mapping, feasible=self.feasible, reason=self.reason)
        return row


@dataclass
class NetworkCost:
    """Per-layer cost arrays of one workload on one accelerator, and their totals."""

    workload: Workload
    hardware: AcceleratorConfig
    cost_model: str
    cycles: np.ndarray
    compute_cycles: np.ndarray
    #: Energy per component (``ENERGY_COMPONENTS``), one array over layers each.
    energy_parts_j: dict[str, np.ndarray]
    traffic_bytes: dict[str, np.ndarray]
    mapping: list[str]
    reasons: list[str]
    area_mm2_breakdown: dict[str, float]
    leakage_w: float
    #: PE-array cycles spent on MACs (the numerator of utilisation), per layer.
    busy_pe_cycles: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hardware_problems: list[str] = field(default_factory=list)

    # -- validity -----------------------------------------------------------------------------
    @property
    def feasible(self) -> bool:
        return not self.hardware_problems and not any(self.reasons)

    @property
    def infeasible_reasons(self) -> list[str]:
        """Hardware problems, then each layer-level reason once, with the layers it stops."""
        out = list(self.hardware_problems)
        by_reason: dict[str, list[str]] = {}
        for layer, reason in zip(self.workload.layers, self.reasons, strict=True):
            if reason:
                by_reason.setdefault(reason, []).append(layer.name)
        for reason, names in by_reason.items():
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            out.append(f"{shown}: {reason}")
        return out

    # -- totals ---------------------------------------------------------------------------------
    def _total(self, value: float) -> float:
        return value if self.feasible else math.nan

    @property
    def total_cycles(self) -> float:
        return self._total(float(np.sum(self.cycles)))

    @property
    def latency_s(self) -> float:
        return self.total_cycles / self.hardware.clock_hz if self.feasible else math.nan

    @property
    def energy_by_component_j(self) -> dict[str, float]:
        return {k: self._total(float(np.sum(v))) for k, v in self.energy_parts_j.items()}

    @property
    def energy_j(self) -> float:
        return self._total(float(np.sum(self.layer_energy_j)))

    @property
    def layer_energy_j(self) -> np.ndarray:
        return sum(self.energy_parts_j.values(), np.zeros(len(self.cycles)))

    @property
    def area_mm2(self) -> float:
        return float(sum(self.area_mm2_breakdown.values()))

    @property
    def power_w(self) -> float:
        return self.energy_j / self.latency_s if self.feasible and self.latency_s > 0 else math.nan

    @property
    def edp_js(self) -> float:
        return self.energy_j * self.latency_s

    @property
    def macs(self) -> float:
        return float(self.workload.macs)

    @property
    def utilization(self) -> float:
        """Busy PE-cycles over available PE-cycles, over the whole network."""
        if not self.feasible or self.total_cycles <= 0:
            return math.nan
        return float(np.sum(self.busy_pe_cycles)) / (self.total_cycles * self.hardware.num_pes)

    @property
    def traffic_totals_bytes(self) -> dict[str, float]:
        return {k: self._total(float(np.sum(v))) for k, v in self.traffic_bytes.items()}

    # -- per-layer view -----------------------------------------------------------------------
    def layers(self) -> list[LayerCost]:
        """One ``LayerCost`` per layer, in workload order."""
        clock = self.hardware.clock_hz
        pes = self.hardware.num_pes
        out = []
        for i, layer in enumerate(self.workload.layers):
            cycles = float(self.cycles[i])
            util = float(self.busy_pe_cycles[i]) / (cycles * pes) if cycles > 0 and layer.is_mac else 0.0
            out.append(LayerCost(
                name=layer.name, op=layer.op, macs=float(layer.macs), cycles=cycles,
                compute_cycles=float(self.compute_cycles[i]),
                stall_cycles=max(0.0, cycles - float(self.compute_cycles[i])),
                latency_s=cycles / clock, utilization=util,
                energy_j={k: float(v[i]) for k, v in self.energy_parts_j.items()},
                traffic_bytes={k: float(v[i]) for k, v in self.traffic_bytes.items()},
                mapping=self.mapping[i], feasible=not self.reasons[i], reason=self.reasons[i],
            ))
        return out

    def layer_rows(self, nan_as_none: bool = False) -> list[dict[str, Any]]:
        """``[layer.to_row() for layer in self.layers()]``, built column by column (one numpy pass
        per column instead of a ``LayerCost`` per layer: a 2,000-layer report in a few ms).
        ``nan_as_none``: non-finite numbers become ``None``, as JSON reports need."""
        n = len(self.workload.layers)
        if len(self.busy_pe_cycles) != n:  # a result without per-layer PE cycles: the plain path
            return [_finite_row(layer.to_row()) if nan_as_none else layer.to_row() for layer in self.layers()]
        cycles = np.asarray(self.cycles, dtype=float)
        compute = np.asarray(self.compute_cycles, dtype=float)
        stall = cycles - compute
        with np.errstate(all="ignore"):
            # As ``layers()``: utilisation only where a MAC layer has cycles; no negative stall
            # (NaN compares false in both, so it gives 0.0 there as ``max(0.0, nan)`` does).
            util = np.where((cycles > 0) & self.workload.arrays.is_mac,
                            self.busy_pe_cycles / (cycles * self.hardware.num_pes), 0.0)
        total = np.zeros(n)
        for part in self.energy_parts_j.values():
            total = total + part  # summed in component order from 0, as ``sum(dict.values())``
        columns: dict[str, Any] = {
            "macs": self.workload.arrays.macs, "cycles": cycles, "compute_cycles": compute,
            "stall_cycles": np.where(stall > 0.0, stall, 0.0), "latency_s": cycles / self.hardware.clock_hz,
            "utilization": util, "energy_j": total,
            **{f"energy_{k}_j": v for k, v in self.energy_parts_j.items()},
            **{f"{k.replace('.', '_')}_bytes": v for k, v in self.traffic_bytes.items()},
        }
        for key, value in columns.items():
            value = np.asarray(value, dtype=float)
            listed = value.tolist()
            if nan_as_none and not np.isfinite(value).all():
                listed = [None if not math.isfinite(v) else v for v in listed]
            columns[key] = listed
        names = ["name", "op", *columns, "mapping", "feasible", "reason"]
        layers = self.workload.layers
        values = zip([layer.name for layer in layers], [layer.op for layer in layers], *columns.values(),
                     list(self.mapping), [not r for r in self.reasons], self.reasons, strict=True)
        return [dict(zip(names, row, strict=True)) for row in values]

    def metrics(self) -> dict[str, Any]:
        """Network totals in SI units (``NaN`` totals become ``None`` when infeasible)."""
        def clean(x: float) -> float | None:
            return None if not math.isfinite(x) else float(x)

        return {
            "feasible": self.feasible,
            "infeasible_reasons": self.infeasible_reasons,
            "latency_s": clean(self.latency_s),
            "energy_j": clean(self.energy_j),
            "edp_js": clean(self.edp_js),
            "power_w": clean(self.power_w),
            "area_mm2": self.area_mm2,
            "cycles": clean(self.total_cycles),
            "macs": self.macs,
            "utilization": clean(self.utilization),
            "energy_breakdown_j": {k: clean(v) for k, v in self.energy_by_component_j.items()},
            "area_breakdown_mm2": dict(self.area_mm2_breakdown),
            "traffic_bytes": {k: clean(v) for k, v in self.traffic_totals_bytes.items()},
            "leakage_w": clean(self.leakage_w),
        }


def _finite_row(row: dict[str, Any]) -> dict[str, Any]:
    """A flat row with its non-finite floats as ``None``."""
    return {k: None if type(v) is float and not math.isfinite(v) else v for k, v in row.items()}
