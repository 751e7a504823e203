"""The ``codesign split`` table: one row per device cut (Neurosurgeon's picture), with the best
cut for latency and for device energy."""
from __future__ import annotations

from typing import Any

import numpy as np

from codesign.split.analysis import SplitAnalysis
from codesign.split.best import best_index

#: Columns of a row, in order (SI units).
ROW_FIELDS = ("cut", "cut_layer", "tensors", "uplink_bytes", "device_latency_s", "transfer_latency_s",
              "remote_latency_s", "latency_s", "device_energy_j")


def _cut_layer(analysis: SplitAnalysis, cut: int) -> str:
    return "input" if cut < 0 else analysis.workload.layers[cut].name


def row(analysis: SplitAnalysis, index: int, budget_s: float | None = None) -> dict[str, Any]:
    """One cut pair as a table row: the columns of ``ROW_FIELDS`` first, then the rest."""
    metrics = analysis.costs.select(index)
    cut = int(metrics["cut"])
    tensors = analysis.workload.cut_tensors(cut)
    out: dict[str, Any] = {"cut": cut, "cut_layer": _cut_layer(analysis, cut), "tensors": len(tensors)}
    out.update({k: metrics[k] for k in ROW_FIELDS if k not in out})
    if analysis.setup.cloud is not None:
        out.update(cut2=int(metrics["cut2"]), cut2_layer=_cut_layer(analysis, int(metrics["cut2"])),
                   backhaul_bytes=metrics["backhaul_bytes"])
    out.update(radio_energy_j=metrics["radio_energy_j"], tensor_ids=[t.id for t in tensors],
               feasible=metrics["feasible"])
    for tier in ("mec", "cloud"):
        out[f"{tier}_latency_s"] = metrics[f"{tier}_latency_s"]
    if budget_s is not None:
        out["required_uplink_bps"] = float(analysis.costs.required_uplink_bps(budget_s)[index])
    return out


def cut_rows(analysis: SplitAnalysis, budget_s: float | None = None) -> list[dict[str, Any]]:
    """One row per device cut -1..L-1 that the setup allows; with both MEC and cloud, each row
    takes the MEC|cloud cut that minimises latency for that device cut."""
    costs = analysis.costs
    rows = []
    for cut in np.unique(costs.cut):
        members = np.flatnonzero(costs.cut == cut)
        latency = np.where(costs.feasible[members], costs.latency_s[members], np.inf)
        rows.append(row(analysis, int(members[int(np.argmin(latency))]), budget_s))
    return rows


def best_rows(analysis: SplitAnalysis, budget_s: float | None = None) -> dict[str, dict[str, Any] | None]:
    """The best cut pair for latency and for device energy (``None`` when no cut is feasible)."""
    out: dict[str, dict[str, Any] | None] = {}
    for goal in ("latency", "energy"):
        index = best_index(analysis.costs, goal)
        out[goal] = None if index is None else row(analysis, index, budget_s)
    return out
