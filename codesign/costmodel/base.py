"""Cost-model interface: (workload, accelerator) → ``NetworkCost``.

A cost model is a class registered in ``COST_MODELS`` that declares the templates it understands.
``evaluate`` checks the hardware first, so that a configuration that cannot run anything (zero
PEs, no bandwidth, unknown dataflow) yields an infeasible result that says why.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache
from typing import ClassVar

import numpy as np

from codesign.costmodel.result import ENERGY_COMPONENTS, NetworkCost
from codesign.errors import ConfigError
from codesign.hardware.config import AcceleratorConfig
from codesign.registry import Registry
from codesign.workload import Workload

#: What a mapping search minimises per layer.
GOALS = ("latency", "energy", "edp")


class CostModel(ABC):
    """Scores a workload on an accelerator of one of ``templates``."""

    templates: ClassVar[tuple[str, ...]] = ()

    def __init__(self, goal: str = "edp", tiling: bool = True) -> None:
        """``goal``: what the mapping search minimises per layer. ``tiling=False`` restricts the
        search to untiled mappings (SCALE-Sim's), for validation against tools that do not tile."""
        if goal not in GOALS:
            raise ConfigError("goal", f"unknown mapping goal {goal!r} (known: {', '.join(GOALS)})")
        self.goal = goal
        self.tiling = tiling

    @property
    def name(self) -> str:
        return getattr(type(self), "registry_name", type(self).__name__)

    def evaluate(self, workload: Workload, hardware: AcceleratorConfig) -> NetworkCost:
        """Cost of every layer of ``workload`` on ``hardware``; never raises for bad hardware."""
        problems = []
        if hardware.template not in self.templates:
            problems.append(f"cost model {self.name!r} does not model template {hardware.template!r} "
                            f"(it models: {', '.join(self.templates)})")
        problems += _hardware_problems(hardware)
        if problems:
            return self.infeasible(workload, hardware, problems)
        return self._evaluate(workload, hardware)

    def score(self, cycles: np.ndarray, energy: np.ndarray) -> np.ndarray:
        """What the mapping search minimises per layer and candidate: latency or energy (the other
        one breaks ties), or their product (EDP)."""
        if self.goal == "latency":
            return cycles + 1e-9 * energy
        if self.goal == "energy":
            return energy + 1e-9 * cycles
        return energy * cycles

    @abstractmethod
    def _evaluate(self, workload: Workload, hardware: AcceleratorConfig) -> NetworkCost:
        """Cost of a workload on hardware whose ``problems()`` is empty."""

    def infeasible(self, workload: Workload, hardware: AcceleratorConfig, problems: list[str]) -> NetworkCost:
        """A result with no costs and the reasons why."""
        n = len(workload.layers)
        nan = np.full(n, np.nan)
        return NetworkCost(
            workload=workload, hardware=hardware, cost_model=self.name, cycles=nan, compute_cycles=nan,
            energy_parts_j={k: nan for k in ENERGY_COMPONENTS}, traffic_bytes={}, mapping=[""] * n,
            reasons=[""] * n, area_mm2_breakdown={}, leakage_w=float("nan"), busy_pe_cycles=nan,
            hardware_problems=problems,
        )


@lru_cache(maxsize=1024)
def _hardware_problems(hardware: AcceleratorConfig) -> tuple[str, ...]:
    """``hardware.problems()``, remembered per configuration (a search re-scores the same
    hardware often; configurations are frozen)."""
    return tuple(hardware.problems())


COST_MODELS: Registry[CostModel] = Registry("cost model", ("codesign.costmodel",))


def cost_model_for(hardware: AcceleratorConfig, name: str | None = None, goal: str = "edp",
                   tiling: bool = True) -> CostModel:
    """The named cost model, or the template's default one."""
    return COST_MODELS.get(name or hardware.default_cost_model, field="cost_model")(goal=goal, tiling=tiling)
