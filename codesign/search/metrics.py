"""Metrics a trial reports, their SI units and display units, and the objective / constraint
syntax of experiment files (``latency: minimize``, ``area: "<= 4 mm2"``)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from codesign.errors import ConfigError


@dataclass(frozen=True)
class Metric:
    """A named trial metric stored under ``key`` in SI units."""

    name: str
    key: str
    si_unit: str
    #: display unit → factor from SI (value_display = value_si * factor)
    units: dict[str, float]
    display_unit: str
    doc: str

    def to_display(self, value: float | None) -> str:
        if value is None or not math.isfinite(value):
            return "-"
        scaled = value * self.units.get(self.display_unit, 1.0)
        return f"{scaled:.4g}"

    def header(self) -> str:
        return f"{self.name} [{self.display_unit}]" if self.display_unit else self.name


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("proxy", "proxy", "", {"": 1.0}, "", "accuracy proxy score (higher is better)"),
    Metric("latency", "latency_s", "s", {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}, "ms",
           "time of one inference"),
    Metric("energy", "energy_j", "J", {"J": 1.0, "mJ": 1e3, "uJ": 1e6, "nJ": 1e9}, "mJ",
           "energy of one inference"),
    Metric("edp", "edp_js", "J*s", {"J*s": 1.0, "mJ*ms": 1e6, "uJ*ms": 1e9}, "mJ*ms",
           "energy-delay product"),
    Metric("power", "power_w", "W", {"W": 1.0, "mW": 1e3, "uW": 1e6}, "mW", "average power"),
    Metric("area", "area_mm2", "mm2", {"mm2": 1.0, "um2": 1e6}, "mm2", "accelerator area"),
    Metric("params", "params", "", {"": 1.0, "M": 1e-6, "k": 1e-3}, "M", "network parameters"),
    Metric("macs", "macs", "", {"": 1.0, "M": 1e-6, "G": 1e-9}, "M", "multiply-accumulates"),
)}

DIRECTIONS = ("minimize", "maximize")


def metric(name: str, where: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise ConfigError(where, f"unknown metric {name!r} (known: {', '.join(METRICS)})") from None


@dataclass(frozen=True)
class Objective:
    metric: Metric
    direction: str

    @property
    def sign(self) -> float:
        """+1 to turn the value into a loss (minimised), -1 when maximised."""
        return 1.0 if self.direction == "minimize" else -1.0


@dataclass(frozen=True)
class Constraint:
    """``metric <= bound`` or ``metric >= bound``, bound in SI units."""

    metric: Metric
    op: str
    bound_si: float
    text: str

    def violation(self, value: float | None) -> float:
        """Optuna's convention: <= 0 when satisfied, the (relative) excess otherwise."""
        if value is None or not math.isfinite(value):
            return 1.0
        scale = abs(self.bound_si) or 1.0
        excess = value - self.bound_si if self.op == "<=" else self.bound_si - value
        return excess / scale


_CONSTRAINT_RE = re.compile(r"^\s*(<=|>=)\s*([-+0-9.eE]+)\s*([A-Za-z*0-9]*)\s*$")


def parse_objectives(raw: dict[str, Any], where: str = "objectives") -> list[Objective]:
    if not raw:
        raise ConfigError(where, "at least one objective is needed")
    out = []
    for name, direction in raw.items():
        m = metric(name, f"{where}.{name}")
        if direction not in DIRECTIONS:
            raise ConfigError(f"{where}.{name}", f"direction must be minimize or maximize, got {direction!r}")
        out.append(Objective(m, direction))
    return out


def parse_constraint(name: str, raw: Any, where: str) -> Constraint:
    """``"<= 4 mm2"``, ``">= 0.5"`` (unit optional: SI when absent), or a bare number (<=, SI)."""
    m = metric(name, where)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Constraint(m, "<=", float(raw), f"<= {raw} {m.si_unit}".strip())
    if not isinstance(raw, str):
        raise ConfigError(where, f"expected '<= VALUE UNIT' or '>= VALUE UNIT', got {raw!r}")
    match = _CONSTRAINT_RE.match(raw)
    if not match:
        raise ConfigError(where, f"expected '<= VALUE UNIT' or '>= VALUE UNIT', got {raw!r}")
    op, number, unit = match.groups()
    try:
        value = float(number)
    except ValueError:
        raise ConfigError(where, f"bad number {number!r}") from None
    unit = unit or m.si_unit
    if unit not in m.units:
        raise ConfigError(where, f"unknown unit {unit!r} for {name} (known: {', '.join(u for u in m.units if u) or 'none'})")
    return Constraint(m, op, value / m.units[unit], raw.strip())
