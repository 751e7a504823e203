"""How a report reads a run: its experiment, its trials and where each trial stands.

Every report (HTML, static plots, ``status --watch``) reads a run through ``load_run`` so that a
change in how trials are stored (the engine's registered sub-spaces and typed metrics) is adapted
here, in one place. A trial is put in one of these classes:

- ``front``: feasible, complete and non-dominated under the run's objectives;
- ``dominated``: feasible and complete, but dominated;
- ``infeasible``: complete, but violating a constraint or not mappable;
- ``failed``: the evaluation raised (its error says why) — re-queued trials included;
- ``running``: asked, not told yet (a run in progress, or a killed one).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesign.errors import ConfigError
from codesign.report.front import Front, compute_front
from codesign.search.metrics import METRICS, Metric, Objective
from codesign.storage.run_dir import JOURNAL_FILE, RunDir, TrialRecord

CLASSES = ("front", "dominated", "infeasible", "failed", "running")


@dataclass
class RunView:
    """A run as a report sees it (read once; nothing here writes to the run)."""

    run_dir: RunDir
    experiment: Any
    records: list[TrialRecord]
    front: Front

    @property
    def objectives(self) -> list[Objective]:
        return self.experiment.objectives

    @property
    def front_numbers(self) -> set[int]:
        return {r.number for r in self.front.trials}

    def trial_class(self, record: TrialRecord) -> str:
        """One of ``CLASSES``."""
        if record.state == "RUNNING":
            return "running"
        if record.state != "COMPLETE":
            return "failed"
        if not record.feasible:
            return "infeasible"
        return "front" if record.number in self.front_numbers else "dominated"

    def record(self, number: int, where: str = "--trial") -> TrialRecord:
        """Trial ``number`` (a one-line error naming ``where`` when the run has no such trial)."""
        for r in self.records:
            if r.number == number:
                return r
        last = max((r.number for r in self.records), default=None)
        known = f"trials 0..{last}" if last is not None else "no trials"
        raise ConfigError(where, f"run {self.run_dir.path} has no trial {number} ({known})")

    def objective(self, name: str, where: str = "--objectives") -> Objective:
        """The run's objective called ``name`` (a one-line error when it has none such)."""
        for o in self.objectives:
            if o.metric.name == name:
                return o
        raise ConfigError(where, f"the run has no objective {name!r} "
                                 f"(its objectives: {', '.join(o.metric.name for o in self.objectives)})")

    def searched_params(self) -> list[str]:
        """Trial parameter names in the order the trials first show them."""
        names: dict[str, None] = {}
        for r in self.records:
            for key in r.params:
                names.setdefault(key, None)
        return list(names)


def load_run(path: str | Path, require_trials: bool = True) -> RunView:
    """Open the run in ``path``; with ``require_trials``, a run without a study or without a
    finished trial is a one-line error (nothing to report)."""
    from codesign.search.experiment import Experiment

    run_dir = RunDir.open(path)
    experiment = Experiment.from_config(run_dir.config())
    if require_trials and run_dir.storage_url() is None and not (run_dir.path / JOURNAL_FILE).is_file():
        raise ConfigError(str(run_dir.path), f"no study in this run directory (no {JOURNAL_FILE}); "
                                             f"start it with `codesign run`")
    records = run_dir.trials()
    if require_trials and not any(r.state != "RUNNING" for r in records):
        raise ConfigError(str(run_dir.path), "the study has no finished trial yet; nothing to report")
    return RunView(run_dir=run_dir, experiment=experiment, records=records,
                   front=compute_front(records, experiment.objectives))


def display_factor(metric: Metric) -> float:
    """Factor from the metric's SI value to its display unit."""
    return metric.units.get(metric.display_unit, 1.0)


def metric_for_key(key: str) -> Metric | None:
    """The registered metric stored under ``key`` (``latency_s`` → latency)."""
    for m in METRICS.values():
        if m.key == key:
            return m
    return None
