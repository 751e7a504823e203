"""The best cut pair of a network for a goal, chosen exactly from ``SplitCosts`` (every pair
is already costed, so choosing costs no cost-model call)."""
from __future__ import annotations

import numpy as np

from codesign.errors import ConfigError
from codesign.split.cuts import SplitCosts

#: What ``best`` minimises: end-to-end latency, device energy, or their product.
GOALS = ("latency", "energy", "edp")


def goal_values(costs: SplitCosts, goal: str) -> tuple[np.ndarray, np.ndarray]:
    """(primary, tie-break) arrays of ``goal`` (``NaN`` where infeasible: ``SplitCosts`` masks its
    latency and device energy)."""
    if goal == "latency":
        return costs.latency_s, costs.device_energy_j
    if goal == "energy":
        return costs.device_energy_j, costs.latency_s
    if goal == "edp":
        return costs.latency_s * costs.device_energy_j, costs.latency_s
    raise ConfigError("split.goal", f"unknown goal {goal!r} (known: {', '.join(GOALS)})")


def best_index(costs: SplitCosts, goal: str, max_latency_s: float | None = None) -> int | None:
    """Index of the feasible pair that minimises ``goal`` (ties: the other metric, then the cut
    that keeps the most layers on the device), optionally among pairs that meet
    ``max_latency_s``; ``None`` when no pair qualifies."""
    primary, tie = goal_values(costs, goal)
    if max_latency_s is not None:
        primary = np.where(costs.latency_s <= max_latency_s, primary, np.nan)
    primary = np.where(np.isnan(primary), np.inf, primary)
    first = int(np.argmin(primary))
    if not np.isfinite(primary[first]):
        return None
    best = np.flatnonzero(primary == primary[first])
    if len(best) == 1:
        return first
    order = np.lexsort((-costs.cut[best], tie[best]))
    return int(best[order[0]])
