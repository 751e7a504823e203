"""Typed metrics: what a stage declares it produces (name, SI unit, direction, one-line meaning,
display units), the values of one outcome (``Metrics``), and the objective / constraint syntax
of experiment files (``latency: minimize``, ``area: "<= 4 mm2"``), checked against the metrics
the configured stages declare."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codesign.errors import ConfigError

DIRECTIONS = ("minimize", "maximize")


@dataclass(frozen=True)
class Metric:
    """A named trial metric, stored under ``key`` in SI units ``unit``. ``direction`` is the
    sensible one (a YAML objective may still choose the other); ``meaning`` is one line."""

    name: str
    key: str
    unit: str
    direction: str
    meaning: str
    #: display unit → factor from SI (value_display = value_si * factor)
    units: Mapping[str, float] = field(default_factory=lambda: {"": 1.0}, hash=False)
    display_unit: str = ""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"metric {self.name}: direction must be minimize or maximize")
        if self.display_unit not in self.units:
            raise ValueError(f"metric {self.name}: display unit {self.display_unit!r} not in its units")

    @property
    def si_unit(self) -> str:
        return self.unit

    @property
    def doc(self) -> str:
        return self.meaning

    def to_display(self, value: float | None) -> str:
        if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "-"
        return f"{value * self.units.get(self.display_unit, 1.0):.4g}"

    def header(self) -> str:
        return f"{self.name} [{self.display_unit}]" if self.display_unit else self.name


_TIME = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}
_ENERGY = {"J": 1.0, "mJ": 1e3, "uJ": 1e6, "nJ": 1e9}
_POWER = {"W": 1.0, "mW": 1e3, "uW": 1e6}
_COUNT = {"": 1.0, "k": 1e-3, "M": 1e-6, "G": 1e-9}

PROXY = Metric("proxy", "proxy", "", "maximize", "accuracy proxy score (higher is better)")
LATENCY = Metric("latency", "latency_s", "s", "minimize", "time of one inference", _TIME, "ms")
ENERGY = Metric("energy", "energy_j", "J", "minimize", "energy of one inference", _ENERGY, "mJ")
EDP = Metric("edp", "edp_js", "J*s", "minimize", "energy-delay product",
             {"J*s": 1.0, "mJ*ms": 1e6, "uJ*ms": 1e9}, "mJ*ms")
POWER = Metric("power", "power_w", "W", "minimize", "average power during one inference", _POWER, "mW")
AREA = Metric("area", "area_mm2", "mm2", "minimize", "accelerator area", {"mm2": 1.0, "um2": 1e6}, "mm2")
PARAMS = Metric("params", "params", "", "minimize", "network parameters", _COUNT, "M")
MACS = Metric("macs", "macs", "", "minimize", "multiply-accumulates of one inference", _COUNT, "M")
UNMAPPED = Metric("unmapped_fraction", "unmapped_fraction", "", "minimize",
                  "share of the layers the hardware cannot run (1 when the hardware itself is invalid)")

#: The metrics of the built-in stages, by name (stages of plugins declare their own).
METRICS: dict[str, Metric] = {m.name: m for m in (PROXY, LATENCY, ENERGY, EDP, POWER, AREA, PARAMS, MACS, UNMAPPED)}


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"a metric value must be a number or None, got {value!r}")
    return float(value) if math.isfinite(value) else None


class Metrics:
    """The typed metric values of one outcome (declared metric → SI value or ``None``) and JSON
    ``extras`` that travel with them (breakdowns, where it ran). ``to_json`` is the stored form:
    values under their ``Metric.key``, extras beside them."""

    __slots__ = ("_specs", "_values", "extras")

    def __init__(self, values: Mapping[Metric, float | None] = (), extras: Mapping[str, Any] | None = None) -> None:
        self._specs: dict[str, Metric] = {}
        self._values: dict[str, float | None] = {}
        self.extras: dict[str, Any] = dict(extras or {})
        for metric, value in dict(values).items():
            self.set(metric, value)

    def set(self, metric: Metric, value: Any) -> None:
        self._specs[metric.name] = metric
        self._values[metric.name] = _number(value)

    def value(self, name: str) -> float | None:
        """The value of metric ``name`` (``None``: not produced, or not finite)."""
        return self._values.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def names(self) -> list[str]:
        return list(self._values)

    def spec(self, name: str) -> Metric:
        return self._specs[name]

    def to_json(self) -> dict[str, Any]:
        out = dict(self.extras)
        for name, value in self._values.items():
            out[self._specs[name].key] = int(value) if value is not None and self._specs[name].key in _INTEGRAL else value
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Metrics) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Metrics({self.to_json()!r})"

    def get(self, key: str, default: Any = None) -> Any:
        """Stored-form lookup by ``Metric.key`` or extra name (as ``to_json()[key]``)."""
        return self.to_json().get(key, default)


#: Counts stored as integers.
_INTEGRAL = {"params"}


def available_text(available: Iterable[str]) -> str:
    return ", ".join(sorted(available)) or "none"


def metric(name: str, where: str, available: Mapping[str, Metric] = METRICS) -> Metric:
    """The metric ``name`` among ``available``; else a one-line error listing them."""
    try:
        return available[name]
    except KeyError:
        raise ConfigError(where, f"unknown metric {name!r} (available: {available_text(available)})") from None


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


def parse_objectives(raw: dict[str, Any], where: str = "objectives",
                     available: Mapping[str, Metric] = METRICS) -> list[Objective]:
    if not raw:
        raise ConfigError(where, "at least one objective is needed")
    out = []
    for name, direction in raw.items():
        m = metric(name, f"{where}.{name}", available)
        if direction not in DIRECTIONS:
            raise ConfigError(f"{where}.{name}", f"direction must be minimize or maximize, got {direction!r}")
        out.append(Objective(m, direction))
    return out


def parse_constraint(name: str, raw: Any, where: str, available: Mapping[str, Metric] = METRICS) -> Constraint:
    """``"<= 4 mm2"``, ``">= 0.5"`` (unit optional: SI when absent), or a bare number (<=, SI)."""
    m = metric(name, where, available)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Constraint(m, "<=", float(raw), f"<= {raw} {m.unit}".strip())
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
    unit = unit or m.unit
    if unit not in m.units:
        raise ConfigError(where, f"unknown unit {unit!r} for {name} (known: {', '.join(u for u in m.units if u) or 'none'})")
    return Constraint(m, op, value / m.units[unit], raw.strip())
