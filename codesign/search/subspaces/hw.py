"""``hw``: the accelerator sub-space, a template or preset with searched parameters, configured by
the ``accelerator:`` section; its part is an ``AcceleratorConfig``."""
from __future__ import annotations

from typing import Any

from codesign.config.schema import AcceleratorSection
from codesign.dimension import Dimension
from codesign.search.subspaces.base import SUBSPACES, SubSpace

#: Parameters every row of a front table shows (others only when searched).
_ALWAYS_SHOWN = ("rows", "cols", "dataflow")


@SUBSPACES.register("hw")
class HardwareSubSpace(SubSpace):
    """The accelerator: one configuration of the configured template or preset."""

    Options = AcceleratorSection
    options: AcceleratorSection
    section = "accelerator"
    always = True
    title = "accelerator"

    def __init__(self, options: AcceleratorSection) -> None:
        super().__init__(options)
        from codesign.hardware.space import HardwareSpace

        self.space = HardwareSpace.from_section(options)

    def dimensions(self) -> list[Dimension]:
        return list(self.space.dimensions)

    def make(self, values: dict[str, Any]) -> Any:
        return self.space.base.replace(**values) if values else self.space.base

    def where(self, dimension: str) -> str:
        return f"accelerator.search.{dimension}"

    def to_dict(self, part: Any) -> dict[str, Any]:
        return part.to_dict()

    def from_dict(self, data: dict[str, Any], where: str = "") -> Any:
        from codesign.hardware.presets import accelerator_from_dict

        return accelerator_from_dict(data, where=where or "hardware")

    def flat(self, part: Any) -> dict[str, Any]:
        return part.to_params()

    def key(self, part: Any) -> str:
        import json

        return json.dumps(part.to_dict(), sort_keys=True, default=str)

    def describe(self, part: Any) -> str:
        params = part.to_params()
        searched = [d.name for d in self.space.dimensions]
        shown = [f"{params.get('rows')}x{params.get('cols')}", str(params.get("dataflow", ""))] \
            if "rows" in params else []
        for name in searched:
            if name in _ALWAYS_SHOWN:
                continue
            value = params.get(name)
            unit = "KiB" if name.endswith("_kib") else ""
            label = name.replace("_sram_kib", "").replace("_kib", "")
            shown.append(f"{label}={value:g}{unit}" if isinstance(value, (int, float)) else f"{label}={value}")
        return " ".join(shown)

    def summary(self, part: Any) -> dict[str, Any]:
        return {"accelerator": part.to_dict()}

    def export_files(self, part: Any) -> dict[str, str]:
        import yaml

        return {"accelerator.yaml": yaml.safe_dump(part.to_dict(), sort_keys=False)}
