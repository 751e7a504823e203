"""The Pareto front of a run: feasible, complete, non-dominated trials under the objectives.

A candidate is shown once: a trial that repeats an earlier one (``result["repeat_of"]``, or, in
runs from before repeats were answered, the same stored parts) is not a front row of its own but
listed under its original's ``repeated_by``."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codesign.pareto import hypervolume, nondominated_mask
from codesign.search.metrics import Objective
from codesign.search.repeats import REPEAT_OF
from codesign.storage.run_dir import TrialRecord


@dataclass(frozen=True)
class Front:
    """Front trials (sorted by the first objective) and the run's counts."""

    objectives: list[Objective]
    trials: list[TrialRecord]
    n_complete: int
    n_feasible: int
    n_failed: int
    n_running: int
    #: Front trial number -> the later trials that repeated its candidate.
    repeated_by: dict[int, list[int]] = field(default_factory=dict)


def _originals(records: list[TrialRecord]) -> tuple[list[TrialRecord], dict[int, list[int]]]:
    """``records`` without repeats, and each original's repeating trials."""
    first_of_parts: dict[str, int] = {}
    originals: list[TrialRecord] = []
    repeated_by: dict[int, list[int]] = {}
    for r in sorted(records, key=lambda r: r.number):
        parts = json.dumps(r.parts(), sort_keys=True, default=str)
        original = r.result.get(REPEAT_OF, first_of_parts.get(parts))
        if original is None:
            first_of_parts[parts] = r.number
            originals.append(r)
        else:
            repeated_by.setdefault(int(original), []).append(r.number)
    return originals, repeated_by


def loss_matrix(records: list[TrialRecord], objectives: list[Objective]) -> np.ndarray:
    """Objective values of ``records`` as losses (maximised objectives negated)."""
    signs = np.array([o.sign for o in objectives])
    return np.array([np.array(r.values, dtype=float) * signs for r in records]).reshape(len(records), len(objectives))


def compute_front(records: list[TrialRecord], objectives: list[Objective]) -> Front:
    """The non-dominated feasible trials, each candidate once (see the module docstring);
    ``n_feasible`` counts every feasible trial, repeats included."""
    feasible = [r for r in records if r.feasible and r.values is not None and len(r.values) == len(objectives)]
    originals, repeated_by = _originals(feasible)
    front: list[TrialRecord] = []
    if originals:
        mask = nondominated_mask(loss_matrix(originals, objectives))
        front = [r for r, keep in zip(originals, mask, strict=True) if keep]
        first = objectives[0]
        front.sort(key=lambda r: r.values[0] * first.sign)
    return Front(
        objectives=objectives, trials=front,
        n_complete=sum(r.state == "COMPLETE" for r in records), n_feasible=len(feasible),
        n_failed=sum(r.state == "FAIL" for r in records), n_running=sum(r.state == "RUNNING" for r in records),
        repeated_by={r.number: repeated_by[r.number] for r in front if r.number in repeated_by},
    )


def front_hypervolume(records: list[TrialRecord], objectives: list[Objective]) -> float | None:
    """Hypervolume of the feasible trials as a fraction of the reference box: each objective is
    normalised to its observed range and the reference point lies 10 % beyond the worst value.
    ``None`` with fewer than two feasible trials."""
    feasible = [r for r in records if r.feasible and r.values is not None and len(r.values) == len(objectives)]
    if len(feasible) < 2:
        return None
    losses = loss_matrix(feasible, objectives)
    lo, hi = losses.min(axis=0), losses.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    normed = (losses - lo) / span
    reference = np.full(losses.shape[1], 1.1)
    return hypervolume(normed, reference) / float(np.prod(reference))


def front_rows(front: Front) -> list[dict[str, Any]]:
    """Plain rows (SI values) for JSON output: trial, objective values, each sub-space's part
    under ``parts``, all metrics, and the trials that repeated it (``repeated_by``)."""
    rows = []
    for r in front.trials:
        row: dict[str, Any] = {"trial": r.number, "repeated_by": front.repeated_by.get(r.number, [])}
        for o in front.objectives:
            row[o.metric.key] = r.metrics.get(o.metric.key)
        row["parts"] = r.parts()
        row["metrics"] = r.metrics
        rows.append(row)
    return rows


class FrontTracker:
    """The running Pareto front of a search, updated one feasible trial at a time.

    Recomputing the front and its hypervolume over every trial after each tell costs O(N) per
    trial (O(N^2) per run); this keeps the non-dominated losses and the observed range of all
    feasible losses, so an update is O(front size). ``hypervolume()`` equals
    ``front_hypervolume`` over the same trials (dominated points add no volume)."""

    def __init__(self, objectives: list[Objective]) -> None:
        self.signs = np.array([o.sign for o in objectives], dtype=float)
        self._front = np.zeros((0, len(objectives)))
        self._lo = np.full(len(objectives), np.inf)
        self._hi = np.full(len(objectives), -np.inf)
        self.n_feasible = 0
        self._hv: float | None = None
        self._hv_stale = True

    def add(self, values: tuple[float, ...] | list[float]) -> bool:
        """Record a feasible trial's objective values; returns whether the front changed."""
        loss = np.asarray(values, dtype=float) * self.signs
        self.n_feasible += 1
        if np.any(loss < self._lo) or np.any(loss > self._hi):
            self._hv_stale = True
        self._lo = np.minimum(self._lo, loss)
        self._hi = np.maximum(self._hi, loss)
        front = self._front
        if len(front) and np.any(np.all(front <= loss, axis=1) & np.any(front < loss, axis=1)):
            return False  # dominated (an equal point joins the front, as in ``compute_front``)
        keep = ~(np.all(loss <= front, axis=1) & np.any(loss < front, axis=1))
        self._front = np.vstack([front[keep], loss])
        self._hv_stale = True
        return True

    def add_records(self, records: list[TrialRecord]) -> None:
        """Seed the tracker with the feasible trials of a run (on resume)."""
        for r in records:
            # A repeat carries its original's values: counted once, as the live loop does.
            if r.result.get("repeat_of") is not None:
                continue
            if r.feasible and r.values is not None and len(r.values) == len(self.signs):
                self.add(r.values)

    @property
    def size(self) -> int:
        return len(self._front)

    def hypervolume(self) -> float | None:
        """Normalised hypervolume, as ``front_hypervolume``; ``None`` under two feasible trials."""
        if self.n_feasible < 2:
            return None
        if self._hv_stale:
            span = np.where(self._hi > self._lo, self._hi - self._lo, 1.0)
            reference = np.full(len(self.signs), 1.1)
            # The kept losses are non-dominated (``add``), and normalising keeps them so.
            self._hv = hypervolume((self._front - self._lo) / span, reference,
                                   nondominated=True) / float(np.prod(reference))
            self._hv_stale = False
        return self._hv
