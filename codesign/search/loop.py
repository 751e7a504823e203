"""The search loop: ask a batch of candidates, evaluate them on the executor, tell the results.

Ask/tell (not ``study.optimize``) so evaluation can be batched and distributed. Every outcome is
told: a complete trial carries its objective values and constraint violations; an evaluation
error or an unmappable design is a failed trial with its reason recorded. A run that was killed
leaves trials in the RUNNING state; ``resume`` marks them failed and queues their parameters
again, so no candidate is lost.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import TrialState

from codesign.report.front import compute_front, front_hypervolume
from codesign.search.evaluator import Candidate, Outcome, prepared_spec
from codesign.search.executors import make_executor
from codesign.search.experiment import Experiment
from codesign.storage.run_dir import RunDir, trial_records

optuna.logging.set_verbosity(optuna.logging.WARNING)

_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)
#: Marks a trial a killed run left RUNNING; its parameters were queued again, so it does not
#: count against the budget.
REQUEUED_ATTR = "requeued"


@dataclass
class RunSummary:
    """What a ``run`` did."""

    run_dir: str
    finished: int
    budget_trials: int | None
    new_trials: int
    failed: int
    front_size: int
    hypervolume: float | None
    seconds: float
    interrupted: bool = False
    requeued: int = 0
    rate_per_s: float = field(default=0.0)


def _requeue_stale(study: optuna.Study) -> int:
    """Fail the trials a killed run left RUNNING and queue their parameters again."""
    stale = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.RUNNING]
    for t in stale:
        study._storage.set_trial_user_attr(t._trial_id, "result", {"error": "interrupted; re-queued on resume"})  # noqa: SLF001
        study._storage.set_trial_user_attr(t._trial_id, REQUEUED_ATTR, True)  # noqa: SLF001
        study._storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)  # noqa: SLF001
        if t.params:
            study.enqueue_trial(dict(t.params), skip_if_exists=False)
    return len(stale)


def _tell(study: optuna.Study, experiment: Experiment, trial: optuna.Trial, candidate: Candidate,
          outcome: Outcome) -> bool:
    """Record one outcome on its trial; returns whether the trial completed."""
    result: dict[str, Any] = {
        "arch": candidate.arch.to_dict(),
        "hardware": candidate.hardware.to_dict(),
        "metrics": outcome.metrics,
        "seconds": round(outcome.seconds, 6),
        "arch_seconds": round(outcome.arch_seconds, 6),
        "cache_hit": outcome.cache_hit,
    }
    values: list[float] | None = None
    error = outcome.error
    if not error and not outcome.feasible:
        error = "infeasible: " + "; ".join(outcome.reasons)
    if not error:
        values = [outcome.metrics.get(o.metric.key) for o in experiment.objectives]
        if any(v is None or not math.isfinite(v) for v in values):
            missing = [o.metric.name for o, v in zip(experiment.objectives, values, strict=True) if v is None or not math.isfinite(v)]
            error = f"no value for objective(s) {', '.join(missing)}"
            values = None
    if error:
        result["error"] = error
        trial.set_user_attr("result", result)
        study.tell(trial, state=TrialState.FAIL)
        return False
    trial.set_user_attr("result", result)
    for constraint in experiment.constraints:
        trial.set_constraint(constraint.metric.name, constraint.violation(outcome.metrics.get(constraint.metric.key)))
    study.tell(trial, values)
    return True


class _Progress:
    """Trials done and per second, failures, front size and hypervolume (rich, or nothing)."""

    def __init__(self, quiet: bool, total: int | None, done: int) -> None:
        self.quiet = quiet
        self._progress = None
        if quiet:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]search"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TextColumn("failed {task.fields[failed]}"), TextColumn("front {task.fields[front]}"),
            TextColumn("HV {task.fields[hv]}"), TimeElapsedColumn(), transient=False,
        )
        self._task = self._progress.add_task("search", total=total, completed=done, rate="- trials/s",
                                             failed=0, front=0, hv="-")
        self._progress.start()

    def update(self, done: int, rate: float, failed: int, front: int, hv: float | None) -> None:
        if self._progress is None:
            return
        self._progress.update(self._task, completed=done, rate=f"{rate:.1f} trials/s", failed=failed,
                              front=front, hv="-" if hv is None else f"{hv:.3f}")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def run_search(experiment: Experiment, run: RunDir, quiet: bool = False, resume: bool = False,
               ray_address: str | None = None) -> RunSummary:
    """Run (or continue) the search until the trial or time budget is reached."""
    config = experiment.config
    strategy = experiment.strategy()
    study = run.study(directions=experiment.directions, sampler=strategy.sampler())
    requeued = _requeue_stale(study) if resume else 0

    def finished_count() -> int:
        return sum(not t.user_attrs.get(REQUEUED_ATTR) for t in study.get_trials(deepcopy=False, states=_FINISHED))

    budget_trials = config.budget.trials
    finished = finished_count()
    executor_cfg = config.executor
    spec = prepared_spec(experiment.evaluator_spec)
    executor = make_executor(executor_cfg.name, spec, executor_cfg.workers,
                             ray_address or executor_cfg.address, executor_cfg.trial_timeout)
    batch_size = executor_cfg.batch_size or (1 if executor.parallelism == 1 else 2 * executor.parallelism)
    progress = _Progress(quiet, budget_trials, finished)
    start = time.monotonic()
    new_trials = failed = 0
    interrupted = False
    front_size, hv = 0, None
    try:
        while True:
            remaining = math.inf if budget_trials is None else budget_trials - finished
            if remaining <= 0:
                break
            if config.budget.time is not None and time.monotonic() - start >= config.budget.time:
                break
            n = int(min(batch_size, remaining))
            asked: list[tuple[optuna.Trial, Candidate]] = []
            for _ in range(n):
                trial = study.ask()
                candidate = Candidate(arch=experiment.space.sample(trial), hardware=experiment.hardware.sample(trial))
                asked.append((trial, candidate))
            for index, outcome in executor.run([c for _, c in asked]):
                trial, candidate = asked[index]
                if not _tell(study, experiment, trial, candidate, outcome):
                    failed += 1
                new_trials += 1
                finished += 1
            records = trial_records(study)
            front = compute_front(records, experiment.objectives)
            front_size = len(front.trials)
            hv = front_hypervolume(records, experiment.objectives)
            elapsed = time.monotonic() - start
            progress.update(finished, new_trials / elapsed if elapsed > 0 else 0.0, failed, front_size, hv)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
        executor.close()
    elapsed = time.monotonic() - start
    return RunSummary(run_dir=str(run.path), finished=finished, budget_trials=budget_trials, new_trials=new_trials,
                      failed=failed, front_size=front_size, hypervolume=hv, seconds=elapsed,
                      interrupted=interrupted, requeued=requeued,
                      rate_per_s=new_trials / elapsed if elapsed > 0 else 0.0)
