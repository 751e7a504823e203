"""Convergence of a run: hypervolume and front size after each finished trial.

The trials are replayed in the order they finished (``FrontTracker``, as the live progress bar
does), so the hypervolume at trial *n* is normalised to the range observed up to *n* — the
figure the progress bar showed at that moment, not a re-normalised one."""
from __future__ import annotations

from typing import Any

from codesign.report.front import FrontTracker
from codesign.search.metrics import Objective
from codesign.storage.run_dir import TrialRecord


def convergence(records: list[TrialRecord], objectives: list[Objective]) -> dict[str, list[Any]]:
    """``trial`` (numbers, in finishing order), ``finished`` (count), ``hypervolume`` (``None``
    before two feasible trials) and ``front_size``."""
    finished = [r for r in records if r.state != "RUNNING"]
    finished.sort(key=lambda r: (r.completed if r.completed is not None else float("inf"), r.number))
    tracker = FrontTracker(objectives)
    out: dict[str, list[Any]] = {"trial": [], "finished": [], "hypervolume": [], "front_size": []}
    for i, r in enumerate(finished, start=1):
        if r.feasible and r.values is not None and len(r.values) == len(objectives):
            tracker.add(r.values)
        out["trial"].append(r.number)
        out["finished"].append(i)
        out["hypervolume"].append(tracker.hypervolume())
        out["front_size"].append(tracker.size)
    return out
