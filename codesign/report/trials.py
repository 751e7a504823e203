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

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesign.errors import ConfigError
from codesign.report.front import Front, compute_front
from codesign.search.metrics import Metric, Objective
from codesign.storage.run_dir import JOURNAL_FILE, RunDir, TrialRecord, trial_records

CLASSES = ("front", "dominated", "infeasible", "failed", "running")


@dataclass
class RunView:
    """A run as a report sees it (read once; nothing here writes to the run)."""

    run_dir: RunDir
    experiment: Any
    records: list[TrialRecord]
    front: Front
    #: The study's trials as Optuna keeps them (read once, with ``records``; importances use them).
    frozen: list[Any] = field(default_factory=list)

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
    experiment = Experiment.build(run_dir.config())
    has_study = run_dir.storage_url() is not None or (run_dir.path / JOURNAL_FILE).is_file()
    if require_trials and not has_study:
        raise ConfigError(str(run_dir.path), f"no study in this run directory (no {JOURNAL_FILE}); "
                                             f"start it with `codesign run`")
    frozen: list[Any] = []
    if has_study:  # one read of the study: the records and the importances share it
        try:
            frozen = run_dir.study().get_trials(deepcopy=False)
        except KeyError:  # the storage holds no study yet
            frozen = []
    records = trial_records(_Trials(frozen))
    if require_trials and not any(r.state != "RUNNING" for r in records):
        raise ConfigError(str(run_dir.path), "the study has no finished trial yet; nothing to report")
    return RunView(run_dir=run_dir, experiment=experiment, records=records,
                   front=compute_front(records, experiment.objectives), frozen=frozen)


class _Trials:
    """Already-read trials in the one shape ``trial_records`` reads (``get_trials``)."""

    def __init__(self, trials: list[Any]) -> None:
        self._trials = trials

    def get_trials(self, deepcopy: bool = False) -> list[Any]:
        return self._trials


def display_factor(metric: Metric) -> float:
    """Factor from the metric's SI value to its display unit."""
    return metric.units.get(metric.display_unit, 1.0)


def shown(metric: Metric, value: Any) -> float | None:
    """``value`` (SI) in the metric's display unit, to 6 significant digits; ``None`` when not a
    finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(f"{value * display_factor(metric):.6g}")


def metric_info(metric: Metric) -> dict[str, Any]:
    """A typed metric as a page shows it: name, stored key, display unit, label, meaning."""
    return {"name": metric.name, "key": metric.key, "unit": metric.display_unit, "si_unit": metric.unit,
            "label": metric.header(), "doc": metric.meaning, "direction": metric.direction}


def spread(items: list[Any], limit: int) -> list[Any]:
    """At most ``limit`` items, evenly spaced (first and last kept)."""
    if limit <= 0:
        return []
    if len(items) <= limit:
        return list(items)
    if limit == 1:
        return [items[0]]
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]
