"""Cut positions that stay meaningful when the sampled network changes depth.

A searched cut is a *fraction* in [0, 1] of the way through the network's candidate cuts, not a
layer index: 0 = full offload (send the input), 1 = device only, and 0.5 = the middle candidate of
whatever depth the architecture has. Candidate cuts are either every cut (``all``) or only those
where a single activation tensor crosses (``single``: block boundaries, where no skip branch is in
flight, as split-computing systems cut in practice); full offload and device only are always
candidates.
"""
from __future__ import annotations

import numpy as np

from codesign.errors import ConfigError
from codesign.workload import Workload

CANDIDATES = ("all", "single")


def candidate_cuts(workload: Workload, candidates: str = "all") -> np.ndarray:
    """The cuts -1..L-1 a searched position may land on, in order."""
    n = len(workload.layers)
    if candidates == "all":
        return np.arange(-1, n)
    if candidates == "single":
        inner = [c for c in range(0, n - 1) if len(workload.cut_tensors(c)) == 1]
        return np.array([-1, *inner, n - 1])
    raise ConfigError("split.candidates", f"unknown candidates {candidates!r} (known: {', '.join(CANDIDATES)})")


def cut_at(fraction: float, cuts: np.ndarray) -> int:
    """The candidate cut ``fraction`` of the way from full offload (0) to device only (1)."""
    if not 0.0 <= fraction <= 1.0:
        raise ConfigError("split.cut", f"position must be in [0, 1], got {fraction!r}")
    return int(cuts[int(round(fraction * (len(cuts) - 1)))])


def fraction_of(cut: int, cuts: np.ndarray) -> float:
    """The position of ``cut`` among ``cuts`` (the inverse of ``cut_at`` on candidates)."""
    where = np.flatnonzero(cuts == cut)
    if not len(where):
        raise ConfigError("split.cut", f"cut {cut} is not a candidate ({', '.join(map(str, cuts[:8]))}, ...)")
    return float(where[0]) / max(1, len(cuts) - 1)
