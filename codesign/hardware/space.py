"""The hardware half of the joint search space: a template, fixed parameters, searched ranges."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.hardware.config import AcceleratorConfig

HW_PREFIX = "hw."


@dataclass(frozen=True)
class HardwareSpace:
    """Accelerators of one template: ``base`` with the ``dimensions`` searched."""

    base: AcceleratorConfig
    dimensions: tuple[Dimension, ...] = field(default_factory=tuple)

    @classmethod
    def from_section(cls, section: Any) -> HardwareSpace:
        """The space of an experiment's ``accelerator:`` section (a template with fixed ``params``
        and searched ``search`` ranges, or a ``preset`` that ``params`` override and ``search``
        opens up), checked against the templates, presets and cost models."""
        from codesign.costmodel.base import COST_MODELS
        from codesign.hardware.config import TEMPLATES
        from codesign.hardware.presets import presets

        if section.preset and section.template:
            raise ConfigError("accelerator", "give either 'template' or 'preset', not both")
        if section.preset:
            if section.preset not in presets():
                raise ConfigError("accelerator.preset", f"unknown preset {section.preset!r} (known: {', '.join(presets())})")
            base = presets()[section.preset].config()
            search = section.search or {}
        else:
            template = TEMPLATES.get(section.template or "systolic", field="accelerator.template")
            base = template()
            search = template.default_search if section.search is None else section.search
        base = type(base).from_params({**base.to_params(), **section.params}, where="accelerator.params")
        space = cls.build(base, search, where="accelerator.search")
        if section.cost_model is not None:
            model = COST_MODELS.get(section.cost_model, field="accelerator.cost_model")
            if base.template not in model.templates:
                raise ConfigError("accelerator.cost_model", f"{section.cost_model!r} does not model template "
                                                            f"{base.template!r} (it models: {', '.join(model.templates)})")
        return space

    @classmethod
    def build(cls, base: AcceleratorConfig, search: dict[str, Any], where: str) -> HardwareSpace:
        """Validate searched ranges against the template (names, types, choices)."""
        dims = []
        template = type(base)
        params = {p.name: p for p in template.parameters()}
        for name, spec in search.items():
            field_where = f"{where}.{name}"
            if name not in params:
                raise ConfigError(field_where, f"unknown parameter of template {base.template!r} "
                                               f"(known: {', '.join(params)})")
            dim = Dimension.parse(name, spec, field_where)
            values = dim.choices if dim.choices is not None else (dim.low, dim.high)
            for value in values:
                template.check_param(name, value, where)
                allowed = params[name].choices
                if allowed is not None and value not in allowed:
                    raise ConfigError(field_where, f"unknown value {value!r} (known: {', '.join(map(str, allowed))})")
            dims.append(dim)
        return cls(base=base, dimensions=tuple(dims))

    def sample(self, trial: Any) -> AcceleratorConfig:
        """One accelerator, its searched parameters drawn through ``trial``."""
        if not self.dimensions:
            return self.base
        return self.base.replace(**{d.name: d.suggest(trial, HW_PREFIX) for d in self.dimensions})

    def from_params(self, params: dict[str, Any]) -> AcceleratorConfig:
        """The accelerator of a finished trial, from its ``hw.*`` parameters."""
        chosen = {k[len(HW_PREFIX):]: v for k, v in params.items() if k.startswith(HW_PREFIX)}
        return self.base.replace(**chosen) if chosen else self.base
