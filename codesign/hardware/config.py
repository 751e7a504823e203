"""Accelerator configurations: the typed parameter set of one accelerator template.

A template is a frozen dataclass subclassing ``AcceleratorConfig`` and registered in
``TEMPLATES`` (built-in templates live in the top-level ``accelerators`` package). Parameters are
dataclass fields declared with ``param(...)``, which records unit, meaning and allowed choices.

Validation is split in two, as in ZigZag's validate → normalise → build:
- ``from_params`` rejects unknown names and wrong types with a one-line error naming the field;
- ``problems`` lists semantic problems (zero PEs, non-positive bandwidth, unknown dataflow),
  which cost models turn into an *infeasible* result with the reason, never a crash.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from codesign.errors import ConfigError
from codesign.pricing.scaling import MAX_NODE_NM, MIN_NODE_NM
from codesign.pricing.technology import technology_names
from codesign.registry import Registry


def param(default: Any, *, unit: str = "", doc: str = "", choices: tuple[Any, ...] | None = None,
          minimum: float | None = None) -> Any:
    """Declare a template parameter (a dataclass field with metadata)."""
    return dataclasses.field(default=default, metadata={
        "unit": unit, "doc": doc, "choices": choices, "minimum": minimum})


@dataclass(frozen=True)
class ParamInfo:
    """What ``codesign accelerators`` shows for one parameter."""

    name: str
    type: str
    default: Any
    unit: str
    doc: str
    choices: tuple[Any, ...] | None
    minimum: float | None


def _coerce(value: Any, kind: type, field: str) -> Any:
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not value.is_integer()):
            raise ConfigError(field, f"must be an integer, got {value!r}")
        return int(value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(field, f"must be a number, got {value!r}")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(field, f"must be a string, got {value!r}")
        return value
    return value


@dataclass(frozen=True)
class AcceleratorConfig:
    """Common parameters of every accelerator template (SI units in the names)."""

    template: ClassVar[str] = ""
    default_cost_model: ClassVar[str] = ""
    #: Parameters searched when an experiment names the template without ranges.
    default_search: ClassVar[dict[str, list[Any]]] = {}

    rows: int = param(16, doc="PE array rows", minimum=1)
    cols: int = param(16, doc="PE array columns", minimum=1)
    dataflow: str = param("ws", doc="dataflow")
    dram_gbps: float = param(25.6, unit="GB/s", doc="off-chip DRAM bandwidth", minimum=0)
    clock_mhz: float = param(500.0, unit="MHz", doc="core clock", minimum=0)
    bits: int = param(8, unit="bit", doc="datapath precision of weights and activations", minimum=1)
    tech_nm: float = param(28.0, unit="nm", doc="CMOS technology node", minimum=0)
    technology: str = param("default", doc="pricing tables (codesign.pricing: default, accelergy_timeloop)")

    # -- schema -------------------------------------------------------------------------------
    @classmethod
    def parameters(cls) -> list[ParamInfo]:
        """Every parameter of the template, in declaration order."""
        hints = {f.name: f.type for f in dataclasses.fields(cls)}
        out = []
        for f in dataclasses.fields(cls):
            kind = hints[f.name]
            type_name = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
            out.append(ParamInfo(f.name, type_name, f.default, f.metadata.get("unit", ""),
                                 f.metadata.get("doc", ""), f.metadata.get("choices"),
                                 f.metadata.get("minimum")))
        return out

    @classmethod
    def param_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def _param_type(cls, name: str) -> type:
        kind = {f.name: f.type for f in dataclasses.fields(cls)}[name]
        if isinstance(kind, str):
            kind = {"int": int, "float": float, "str": str, "bool": bool}.get(kind, object)
        return kind

    @classmethod
    def check_param(cls, name: str, value: Any, where: str = "") -> Any:
        """Type-check one parameter value; unknown names and wrong types raise ``ConfigError``."""
        field = f"{where}.{name}" if where else name
        if name not in cls.param_names():
            raise ConfigError(field, f"unknown parameter of template {cls.template!r} "
                                     f"(known: {', '.join(cls.param_names())})")
        return _coerce(value, cls._param_type(name), field)

    @classmethod
    def from_params(cls, params: dict[str, Any], where: str = "") -> AcceleratorConfig:
        """Build a configuration from plain values; missing parameters take their defaults."""
        if not isinstance(params, dict):
            raise ConfigError(where, f"expected a mapping of parameters, got {type(params).__name__}")
        values = {name: cls.check_param(name, value, where) for name, value in params.items()}
        return cls(**values)

    def to_params(self) -> dict[str, Any]:
        """Parameters as plain values, in declaration order."""
        return {name: getattr(self, name) for name in self.param_names()}

    def replace(self, **changes: Any) -> AcceleratorConfig:
        """A copy with some parameters changed (type-checked)."""
        checked = {name: self.check_param(name, value) for name, value in changes.items()}
        return dataclasses.replace(self, **checked)

    def to_dict(self) -> dict[str, Any]:
        """The YAML form: ``{template: ..., params: {...}}``."""
        return {"template": self.template, "params": self.to_params()}

    # -- semantics ----------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Why this configuration cannot run anything (empty when it can)."""
        out = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            choices = f.metadata.get("choices")
            minimum = f.metadata.get("minimum")
            if choices is not None and value not in choices:
                out.append(f"{f.name}: unknown {f.metadata.get('doc') or f.name} {value!r} "
                           f"(known: {', '.join(map(str, choices))})")
            if minimum is None or not isinstance(value, (int, float)):
                continue
            # minimum 0 means strictly positive (a bandwidth, a clock); others are inclusive.
            ok = math.isfinite(value) and (value > 0 if minimum == 0 else value >= minimum)
            if not ok:
                bound = "> 0" if minimum == 0 else f">= {minimum:g}"
                out.append(f"{f.name} must be {bound}, got {value!r}")
        if math.isfinite(self.tech_nm) and not (MIN_NODE_NM <= self.tech_nm <= MAX_NODE_NM):
            out.append(f"tech_nm must be within {MIN_NODE_NM:g}-{MAX_NODE_NM:g} nm (the scaling "
                       f"table's range), got {self.tech_nm!r}")
        if self.technology not in technology_names():
            out.append(f"technology: unknown pricing technology {self.technology!r} "
                       f"(known: {', '.join(technology_names())})")
        if self.bits > 32:
            out.append(f"bits must be <= 32, got {self.bits}")
        return out

    @property
    def num_pes(self) -> int:
        return self.rows * self.cols

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    @property
    def word_bytes(self) -> float:
        return self.bits / 8.0

    @property
    def dram_bytes_per_cycle(self) -> float:
        """DRAM bandwidth in bytes per core clock cycle."""
        return self.dram_gbps * 1e9 / self.clock_hz

    @property
    def peak_macs_per_s(self) -> float:
        return self.num_pes * self.clock_hz

    def summary(self) -> str:
        """A short human description (``systolic 32x32 ws 8b``)."""
        return f"{self.template} {self.rows}x{self.cols} {self.dataflow} {self.bits}b"


#: Accelerator templates by name; built-in ones live in the top-level ``accelerators`` package.
TEMPLATES: Registry[AcceleratorConfig] = Registry("accelerator template", ("accelerators",))
