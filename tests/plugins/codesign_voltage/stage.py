"""The ``voltage_scaling`` stage: energy and latency at the candidate's supply voltage.

A toy first-order model (what DVFS studies use), applied to the totals of the cost stage:

- dynamic switching energy per operation is ``C * V^2`` (Rabaey, Chandrakasan & Nikolic,
  *Digital Integrated Circuits*, 2nd ed., 2003, Sec. 5.5), so energy scales by ``(V / V0)^2``;
- the gate delay follows the alpha-power law ``t_d ~ V / (V - Vt)^alpha`` (Sakurai & Newton,
  IEEE JSSC 25(2), 1990), so the clock scales as ``f ~ (V - Vt)^alpha / V`` and latency by
  ``f(V0) / f(V)``.

Leakage is scaled like the rest (a toy: the cost model quotes it at V0). ``V0``, ``Vt`` and
``alpha`` are the sub-space's options.
"""
from __future__ import annotations

from typing import Any

from codesign.search.metrics import ENERGY, LATENCY, Metric
from codesign.search.stages.base import STAGES, Stage, StageResult, Upstream

ENERGY_AT_VDD = Metric("energy_at_vdd", "energy_at_vdd_j", "J", "minimize",
                       "energy of one inference at the candidate's supply voltage",
                       {"J": 1.0, "mJ": 1e3, "uJ": 1e6}, "mJ")
LATENCY_AT_VDD = Metric("latency_at_vdd", "latency_at_vdd_s", "s", "minimize",
                        "time of one inference at the clock the supply voltage allows",
                        {"s": 1.0, "ms": 1e3, "us": 1e6}, "ms")


def frequency_scale(v: float, nominal_v: float, threshold_v: float, alpha: float) -> float:
    """f(V) / f(V0) under the alpha-power law."""
    return ((v - threshold_v) ** alpha / v) / ((nominal_v - threshold_v) ** alpha / nominal_v)


@STAGES.register("voltage_scaling")
class VoltageScaling(Stage):
    """Rescale energy (~V^2) and latency (~1/f(V)) to the candidate's supply voltage."""

    produces = (ENERGY_AT_VDD, LATENCY_AT_VDD)
    needs_parts = ("voltage",)
    needs = (ENERGY.name, LATENCY.name)

    def run(self, candidate: Any, upstream: Upstream) -> StageResult:
        o = self.subspaces["voltage"].options
        v = candidate.part("voltage")
        energy, latency = upstream.value(ENERGY.name), upstream.value(LATENCY.name)
        scale_f = frequency_scale(v, o.nominal_v, o.threshold_v, o.alpha)
        return StageResult(values={
            ENERGY_AT_VDD.name: None if energy is None else energy * (v / o.nominal_v) ** 2,
            LATENCY_AT_VDD.name: None if latency is None else latency / scale_f,
        })
