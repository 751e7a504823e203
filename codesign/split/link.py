"""A network link between two tiers: uplink and downlink rate, one-way latency and, for the
device's radio, its power model.

YAML form (inline, or a preset with overrides), in the units the published tables use::

    radio: 5g_sub6                       # a preset name (``codesign links``)
    radio: {preset: lte, uplink_mbps: 3}  # a preset with overrides
    radio:                                # inline
      uplink_mbps: 50
      downlink_mbps: 200
      latency_ms: 10
      power: {base_mw: 1288, alpha_up_mw_per_mbps: 438, alpha_down_mw_per_mbps: 52,
              tail_mw: 1060, tail_ms: 11576}

Inside, everything is SI: bit/s, s, W.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from codesign.errors import ConfigError
from codesign.split.radio import MW_PER_MBPS, RadioPower

MBPS = 1e6  # bit/s per Mbit/s
MS = 1e-3  # s per ms

_RATE_KEYS = {"uplink_mbps": "uplink_bps", "downlink_mbps": "downlink_bps"}
_POWER_KEYS = {"base_mw": ("base_w", 1e-3), "alpha_up_mw_per_mbps": ("alpha_up_w_per_bps", MW_PER_MBPS),
               "alpha_down_mw_per_mbps": ("alpha_down_w_per_bps", MW_PER_MBPS),
               "tail_mw": ("tail_w", 1e-3), "tail_ms": ("tail_s", MS)}


@dataclass(frozen=True)
class Link:
    """A link's rates (bit/s), one-way latency (s) and the device's radio power (``None`` on a
    wired link, whose energy the device does not pay)."""

    name: str
    uplink_bps: float
    downlink_bps: float
    latency_s: float
    power: RadioPower | None = None
    description: str = ""
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for attr in ("uplink_bps", "downlink_bps"):
            value = getattr(self, attr)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ConfigError(f"{self.name}.{attr.replace('_bps', '_mbps')}",
                                  f"must be a rate > 0, got {value!r} bit/s")
        if not isinstance(self.latency_s, (int, float)) or not math.isfinite(self.latency_s) or self.latency_s < 0:
            raise ConfigError(f"{self.name}.latency_ms", f"must be >= 0, got {self.latency_s!r}")

    def up_seconds(self, nbytes: Any) -> Any:
        """Time on the wire to send ``nbytes`` up (without the latency)."""
        return 8.0 * nbytes / self.uplink_bps

    def down_seconds(self, nbytes: Any) -> Any:
        """Time on the wire to receive ``nbytes`` (without the latency)."""
        return 8.0 * nbytes / self.downlink_bps

    def to_dict(self) -> dict[str, Any]:
        """The YAML form (published units)."""
        out: dict[str, Any] = {"uplink_mbps": self.uplink_bps / MBPS, "downlink_mbps": self.downlink_bps / MBPS,
                               "latency_ms": self.latency_s / MS}
        if self.power is not None:
            out["power"] = {key: getattr(self.power, attr) / scale for key, (attr, scale) in _POWER_KEYS.items()}
        return out


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(field, f"must be a number, got {value!r}")
    return float(value)


def _power_from_dict(data: Any, base: RadioPower | None, where: str) -> RadioPower:
    if not isinstance(data, dict):
        raise ConfigError(where, "expected a mapping of " + ", ".join(_POWER_KEYS))
    unknown = sorted(set(data) - set(_POWER_KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown key (known: {', '.join(_POWER_KEYS)})")
    values = {attr: getattr(base, attr) if base is not None else 0.0 for attr, _ in _POWER_KEYS.values()}
    for key, raw in data.items():
        attr, scale = _POWER_KEYS[key]
        value = _number(raw, f"{where}.{key}")
        if value < 0:
            raise ConfigError(f"{where}.{key}", f"must be >= 0, got {raw!r}")
        values[attr] = value * scale
    missing = [k for k in ("base_mw", "alpha_up_mw_per_mbps", "alpha_down_mw_per_mbps")
               if base is None and k not in data]
    if missing:
        raise ConfigError(f"{where}.{missing[0]}", "required")
    return RadioPower(**values)


def link_from_dict(data: Any, where: str, wired: bool = False) -> Link:
    """A link from a preset name, ``{preset: NAME, ...overrides}`` or an inline mapping.
    ``wired``: a backhaul, which takes no power model."""
    from codesign.split.link_presets import link_preset

    if isinstance(data, str):
        return replace(link_preset(data, where), name=where)
    if not isinstance(data, dict):
        raise ConfigError(where, "expected a link preset name or a mapping (uplink_mbps, downlink_mbps, latency_ms"
                                 + ("" if wired else ", power") + ")")
    known = ["preset", "uplink_mbps", "downlink_mbps", "latency_ms"] + ([] if wired else ["power"])
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown key (known: {', '.join(known)})")
    base = link_preset(str(data["preset"]), f"{where}.preset") if "preset" in data else None
    if base is None:
        missing = [k for k in ("uplink_mbps", "downlink_mbps", "latency_ms") if k not in data]
        if missing:
            raise ConfigError(f"{where}.{missing[0]}", "required (or give a preset)")
    values: dict[str, Any] = {}
    for key, attr in _RATE_KEYS.items():
        if key in data:
            rate = _number(data[key], f"{where}.{key}")
            if rate <= 0:
                raise ConfigError(f"{where}.{key}", f"must be a rate > 0, got {data[key]!r}")
            values[attr] = rate * MBPS
    if "latency_ms" in data:
        latency = _number(data["latency_ms"], f"{where}.latency_ms")
        if latency < 0:
            raise ConfigError(f"{where}.latency_ms", f"must be >= 0, got {data['latency_ms']!r}")
        values["latency_s"] = latency * MS
    if "power" in data:
        values["power"] = _power_from_dict(data["power"], base.power if base else None, f"{where}.power")
    if base is not None:
        return replace(base, name=where, **values)
    return Link(name=where, **values)
