"""Convergence of a run: hypervolume and front size after each finished trial.

The trials are replayed in the order they finished (``FrontTracker``, as the live progress bar
does), so the hypervolume at trial *n* is normalised to the range observed up to *n* — the
figure the progress bar showed at that moment, not a re-normalised one. The hypervolume is
computed at ``HV_POINTS`` evenly spaced trials (and the last), each computation costing a
hypervolume of the front at that point; the front size at every trial."""
from __future__ import annotations

from typing import Any

from codesign.report.front import FrontTracker
from codesign.search.metrics import Objective
from codesign.storage.run_dir import TrialRecord

#: Trials at which the hypervolume is computed (evenly spaced over the run).
HV_POINTS = 100


def convergence(records: list[TrialRecord], objectives: list[Objective], hv_points: int = HV_POINTS) -> dict[str, list[Any]]:
    """``trial`` (numbers, in finishing order), ``finished`` (count) and ``front_size`` at every
    finished trial; ``hv_finished`` and ``hypervolume`` at up to ``hv_points`` of them (the
    hypervolume is ``None`` before two feasible trials)."""
    finished = [r for r in records if r.state != "RUNNING"]
    finished.sort(key=lambda r: (r.completed if r.completed is not None else float("inf"), r.number))
    n = len(finished)
    step = max(1.0, n / max(1, hv_points))
    checkpoints = {min(n, round((k + 1) * step)) for k in range(min(n, hv_points))} | {n}
    tracker = FrontTracker(objectives)
    out: dict[str, list[Any]] = {"trial": [], "finished": [], "front_size": [], "hv_finished": [], "hypervolume": []}
    for i, r in enumerate(finished, start=1):
        if r.feasible and r.values is not None and len(r.values) == len(objectives):
            tracker.add(r.values)
        out["trial"].append(r.number)
        out["finished"].append(i)
        out["front_size"].append(tracker.size)
        if i in checkpoints:
            out["hv_finished"].append(i)
            out["hypervolume"].append(tracker.hypervolume())
    return out
