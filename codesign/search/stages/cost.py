"""``cost``: the network's workload costed on the accelerator by its analytical cost model
(latency, energy, area, MACs, and the share of layers that cannot be mapped)."""
from __future__ import annotations

from typing import Any, Literal

from codesign.costmodel.result import NetworkCost
from codesign.options import PluginOptions
from codesign.search.metrics import AREA, ENERGY, LATENCY, MACS, UNMAPPED
from codesign.search.stages.base import STAGES, Stage, StageResult, Upstream

#: Keys of ``NetworkCost.metrics()`` stored beside the metrics as details.
_EXTRAS = ("cycles", "utilization", "energy_breakdown_j", "area_breakdown_mm2", "traffic_bytes", "leakage_w")


def unmapped_fraction(cost: NetworkCost) -> float:
    """Share of the layers the hardware cannot run; 1 when the hardware itself is invalid."""
    n_layers = len(cost.reasons)
    if cost.hardware_problems or not n_layers:
        return 1.0 if not cost.feasible else 0.0
    return sum(bool(r) for r in cost.reasons) / n_layers


class CostOptions(PluginOptions):
    #: A registered cost model (default: the accelerator template's).
    cost_model: str | None = None
    #: What the mapper optimises per layer.
    goal: Literal["latency", "energy", "edp"] = "edp"


@STAGES.register("cost")
class CostStage(Stage):
    """Cost the workload on the candidate's accelerator."""

    Options = CostOptions
    options: CostOptions
    produces = (LATENCY, ENERGY, AREA, MACS, UNMAPPED)
    needs_parts = ("hw",)
    needs = ("workload",)
    provides = ("cost",)

    def __init__(self, options: CostOptions, subspaces: Any) -> None:
        super().__init__(options, subspaces)
        self._models: dict[str, Any] = {}

    @classmethod
    def options_from(cls, config: Any, raw: Any, where: str) -> CostOptions:
        base = {}
        if config is not None:
            base = {"cost_model": config.accelerator.cost_model, "goal": config.accelerator.goal}
        return super().options_from(config, {**base, **(raw or {})}, where)  # type: ignore[return-value]

    def cost_model(self, hardware: Any) -> Any:
        from codesign.costmodel.base import cost_model_for

        key = self.options.cost_model or hardware.default_cost_model
        if key not in self._models:
            self._models[key] = cost_model_for(hardware, self.options.cost_model, self.options.goal)
        return self._models[key]

    def run(self, candidate: Any, upstream: Upstream) -> StageResult:
        hardware = candidate.part("hw")
        cost = self.cost_model(hardware).evaluate(upstream.artefact("workload"), hardware)
        totals = cost.metrics()
        values = {LATENCY.name: totals["latency_s"], ENERGY.name: totals["energy_j"], AREA.name: totals["area_mm2"],
                  MACS.name: totals["macs"], UNMAPPED.name: unmapped_fraction(cost)}
        extras = {k: totals[k] for k in _EXTRAS}
        return StageResult(values=values, artefacts={"cost": cost}, extras=extras, feasible=cost.feasible,
                           reasons=list(cost.infeasible_reasons))
