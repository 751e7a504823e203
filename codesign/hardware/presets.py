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
    #: Where the design belongs in split inference: ``device`` (an NPU), ``mec`` or ``cloud``.
    tier: str = "device"

    def config(self) -> AcceleratorConfig:
        return TEMPLATES.get(self.template).from_params(self.params, where=f"preset {self.name}.params")


def _preset_dir() -> Path:
    import accelerators

    return Path(accelerators.__file__).resolve().parent / "presets"


@cache
def presets() -> dict[str, Preset]:
    """All presets by name."""
    out = {}
    for path in sorted(_preset_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        known = {"name", "description", "template", "params", "sources", "notes", "tier"}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(path.name, f"unknown key(s) {', '.join(sorted(unknown))}")
        if data.get("tier", "device") not in PRESET_TIERS:
            raise ConfigError(f"{path.name}.tier", f"must be one of {', '.join(PRESET_TIERS)}")
        out[data["name"]] = Preset(name=data["name"], description=data.get("description", ""),
                                   template=data["template"], params=dict(data["params"]),
                                   sources=tuple(data.get("sources", ())), notes=data.get("notes", ""),
                                   tier=data.get("tier", "device"))
    return out


def parse_overrides(items: list[str] | None, where: str = "--set") -> dict[str, Any]:
    """``["rows=16", "dataflow=os"]`` → ``{"rows": 16, "dataflow": "os"}`` (values parsed as YAML)."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(where, f"expected param=value, got {item!r}")
        key, _, raw = item.partition("=")
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ConfigError(f"{where} {key}", f"cannot parse value {raw!r}") from None
    return out


def accelerator_from_dict(data: Any, where: str) -> AcceleratorConfig:
    """``{template: NAME, params: {...}}`` or ``{preset: NAME, params: {...overrides}}``."""
    if not isinstance(data, dict):
        raise ConfigError(where, "expected a mapping with 'template' (or 'preset') and 'params'")
    unknown = set(data) - {"template", "preset", "params", "name", "description", "sources", "notes", "tier"}
    if unknown:
        raise ConfigError(where, f"unknown key(s) {', '.join(sorted(unknown))} (known: template, preset, params)")
    params = data.get("params", {}) or {}
    if "preset" in data:
        base = load_accelerator(str(data["preset"]))
        return base.replace(**params) if params else base
    if "template" not in data:
        raise ConfigError(where, "missing 'template' (or 'preset')")
    cls = TEMPLATES.get(str(data["template"]), field=f"{where}.template")
    return cls.from_params(params, where=f"{where}.params")


def load_accelerator(spec: str, overrides: dict[str, Any] | None = None) -> AcceleratorConfig:
    """A preset name or a YAML file path, with parameter overrides applied (type-checked)."""
    if spec in presets():
        hw = presets()[spec].config()
    else:
        path = Path(spec)
        if not path.is_file():
            raise ConfigError("accelerator", f"{spec!r} is neither a preset ({', '.join(presets())}) "
                                             "nor an existing YAML file")
        hw = accelerator_from_dict(read_yaml(path, "accelerator file"), where=path.name)
    return hw.replace(**overrides) if overrides else hw
