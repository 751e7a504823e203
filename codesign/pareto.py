"""Multi-objective math as plain numpy functions on a loss matrix (rows = points, columns =
objectives, every column minimised)."""
from __future__ import annotations

import numpy as np


def nondominated_mask(losses: np.ndarray) -> np.ndarray:
    """True for rows that no other row dominates (<= everywhere and < somewhere)."""
    losses = np.asarray(losses, dtype=float)
    n = losses.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    le = np.all(losses[:, None, :] <= losses[None, :, :], axis=2)  # le[i, j]: i <= j everywhere
    lt = np.any(losses[:, None, :] < losses[None, :, :], axis=2)
    dominated = np.any(le & lt, axis=0)
    return ~dominated


def hypervolume(losses: np.ndarray, reference: np.ndarray, nondominated: bool = False) -> float:
    """Volume dominated by ``losses`` and bounded by ``reference`` (exact, via Optuna's WFG);
    ``nondominated``: the caller knows no row dominates another (skips an O(n^2) filter)."""
    from optuna._hypervolume import compute_hypervolume

    losses = np.asarray(losses, dtype=float)
    reference = np.asarray(reference, dtype=float)
    inside = losses[np.all(losses < reference, axis=1)]
    if inside.size == 0:
        return 0.0
    front = inside if nondominated else inside[nondominated_mask(inside)]
    return float(compute_hypervolume(front, reference, assume_pareto=True))
