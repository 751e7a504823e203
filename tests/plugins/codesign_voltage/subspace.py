"""The ``voltage`` sub-space: one searched dimension, the supply voltage ``vdd`` in volts."""
from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.options import PluginOptions
from codesign.search.subspaces.base import SUBSPACES, SubSpace


class VoltageOptions(PluginOptions):
    #: Searched supply voltages [V]: ``{low, high[, step]}`` or a list of choices.
    vdd: Any = Field(default_factory=lambda: [0.6, 0.7, 0.8, 0.9])
    #: Voltage the cost model's energy and clock are quoted at [V] (28 nm core: 0.9 V).
    nominal_v: float = Field(0.9, gt=0)
    #: Threshold voltage [V].
    threshold_v: float = Field(0.35, gt=0)
    #: Velocity-saturation exponent of the alpha-power law (1 < alpha <= 2).
    alpha: float = Field(1.3, gt=1, le=2)

    @model_validator(mode="after")
    def _above_threshold(self) -> VoltageOptions:
        if self.nominal_v <= self.threshold_v:
            raise ValueError("nominal_v: must be above threshold_v")
        return self


@SUBSPACES.register("voltage")
class VoltageSubSpace(SubSpace):
    """The accelerator's supply voltage."""

    Options = VoltageOptions
    options: VoltageOptions
    stages = ("voltage_scaling",)
    title = "voltage"

    def __init__(self, options: VoltageOptions) -> None:
        super().__init__(options)
        self._dim = Dimension.parse("vdd", options.vdd, f"{self.config_field}.vdd")
        values = self._dim.choices if self._dim.choices is not None else (self._dim.low, self._dim.high)
        if min(values) <= options.threshold_v:
            raise ConfigError(f"{self.config_field}.vdd", f"every voltage must be above threshold_v "
                                                          f"({options.threshold_v} V), got {min(values)}")

    def dimensions(self) -> list[Dimension]:
        return [self._dim]

    def make(self, values: dict[str, Any]) -> float:
        return float(values["vdd"])

    def to_dict(self, part: float) -> dict[str, Any]:
        return {"vdd": part}

    def from_dict(self, data: dict[str, Any], where: str = "") -> float:
        if not isinstance(data, dict) or not isinstance(data.get("vdd"), (int, float)):
            raise ConfigError(where or "voltage", f"expected {{vdd: VOLTS}}, got {data!r}")
        return float(data["vdd"])

    def describe(self, part: float) -> str:
        return f"{part:.3g} V"
