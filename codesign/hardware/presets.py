"""Named accelerator presets (``accelerators/presets/*.yaml``) and resolution of an accelerator
given on the command line or in a config: a preset name or a YAML file, plus overrides."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from codesign.errors import ConfigError
from codesign.hardware.config import TEMPLATES, AcceleratorConfig
from codesign.yamlio import read_yaml

#: Split-inference tiers a preset can belong to.
PRESET_TIERS = ("device", "mec", "cloud")


@dataclass(frozen=True)
class Preset:
    """A real design expressed in one template, with the sources of its numbers."""

    name: str
    description: str
    template: str
    params: dict[str, Any]
    sources: tuple[str, ...]
    notes: str = ""
    tier: str = "device"

    def config(self) -> AcceleratorConfig:
        return TEMPLATES.get(self.template).from_params(self.params, where=f"preset {self.name}.params")


def _preset_dir() -> Path:
    import accelerators

    return Path(accelerators.__file__).resolve().parent / "presets"


#: Keys of a preset file; an accelerator file may carry them too (a preset is one).
PRESET_KEYS = ("name", "description", "template", "params", "sources", "notes", "tier")
_TEXT_KEYS = ("name", "description", "notes", "tier")


def _check_text(data: dict[str, Any], where: str) -> None:
    for key in _TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{where}.{key}", f"must be a string, got {type(data[key]).__name__}")
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ConfigError(f"{where}.sources", "must be a list of strings")


def _params(data: dict[str, Any], where: str) -> dict[str, Any]:
    params = data.get("params")
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ConfigError(f"{where}.params", f"expected a mapping of parameters, got {type(params).__name__}")
    return params


def parse_preset(data: Any, where: str) -> Preset:
    """Validate one preset mapping (the YAML form of ``Preset``); errors name the field."""
    if not isinstance(data, dict):
        raise ConfigError(where, "a preset must be a mapping with name, template and params")
    unknown = sorted(set(map(str, data)) - set(PRESET_KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown key (known: {', '.join(PRESET_KEYS)})")
    for key in ("name", "template", "params"):
        if key not in data:
            raise ConfigError(f"{where}.{key}", "required")
    _check_text(data, where)
    if not isinstance(data["template"], str):
        raise ConfigError(f"{where}.template", "must be a string")
    if data.get("tier", "device") not in PRESET_TIERS:
        raise ConfigError(f"{where}.tier", f"must be one of {', '.join(PRESET_TIERS)}")
    preset = Preset(name=data["name"], description=data.get("description", ""), template=data["template"],
                    params=dict(_params(data, where)), sources=tuple(data.get("sources", ())),
                    notes=data.get("notes", ""), tier=data.get("tier", "device"))
    TEMPLATES.get(preset.template, field=f"{where}.template").from_params(preset.params, where=f"{where}.params")
    return preset


@cache
def presets() -> dict[str, Preset]:
    """All presets by name."""
    out = {}
    for path in sorted(_preset_dir().glob("*.yaml")):
        preset = parse_preset(read_yaml(path, "preset file"), where=path.name)
        out[preset.name] = preset
    return out


def parse_overrides(items: list[str] | None, where: str = "--set") -> dict[str, Any]:
    """``["rows=16", "dataflow=os"]`` → ``{"rows": 16, "dataflow": "os"}`` (values parsed as YAML)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(where, f"expected param=value, got {item!r}")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ConfigError(f"{where} {key}", f"cannot parse value {raw!r}") from None
        if isinstance(value, float) and value != value:
            raise ConfigError(f"{where} {key}", f"not a number: {raw!r}")
        out[key] = value
    return out


def accelerator_from_dict(data: Any, where: str) -> AcceleratorConfig:
    """``{template: NAME, params: {...}}`` or ``{preset: NAME, params: {...overrides}}``."""
    if not isinstance(data, dict):
        raise ConfigError(where, "expected a mapping with 'template' (or 'preset') and 'params'")
    unknown = sorted(set(map(str, data)) - {"template", "preset", *PRESET_KEYS})
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", "unknown key (known: template, preset, params)")
    _check_text(data, where)
    params = _params(data, where)
    if "preset" in data:
        if not isinstance(data["preset"], str) or data["preset"] not in presets():
            raise ConfigError(f"{where}.preset", f"unknown preset {data['preset']!r} (known: {', '.join(presets())})")
        base = presets()[data["preset"]].config()
        return type(base).from_params({**base.to_params(), **params}, where=f"{where}.params")
    if "template" not in data:
        raise ConfigError(where, "missing 'template' (or 'preset')")
    if not isinstance(data["template"], str):
        raise ConfigError(f"{where}.template", "must be a string")
    cls = TEMPLATES.get(data["template"], field=f"{where}.template")
    return cls.from_params(params, where=f"{where}.params")


def load_accelerator(spec: str, overrides: dict[str, Any] | None = None, where: str = "accelerator",
                     overrides_where: str = "--set") -> AcceleratorConfig:
    """A preset name, a template name (its defaults) or a YAML file path, with parameter
    overrides applied (type-checked; errors name ``overrides_where``)."""
    if spec in presets():
        hw = presets()[spec].config()
    elif spec in TEMPLATES:
        hw = TEMPLATES.get(spec)()
    else:
        path = Path(spec)
        if not path.exists():
            raise ConfigError(where, f"{spec!r} is neither a preset ({', '.join(presets())}), a template "
                                     f"({', '.join(TEMPLATES.names())}) nor an existing YAML file")
        hw = accelerator_from_dict(read_yaml(path, "accelerator file"), where=path.name)
    if not overrides:
        return hw
    try:
        return hw.replace(**overrides)
    except ConfigError as exc:
        raise ConfigError(f"{overrides_where} {exc.field}", exc.message) from None
