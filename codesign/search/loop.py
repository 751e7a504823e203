"""The search loop: ask a batch of candidates, evaluate them on the executor, tell the results.

Ask/tell (not ``study.optimize``) so evaluation can be batched and distributed. Every outcome is
told:

- a design that was evaluated completes with its objective values and constraint values: one per
  budget in ``constraints`` and ``mappable`` (the share of the network the hardware cannot run; 0
  when it all maps). A design that cannot be mapped is therefore a *complete, infeasible* trial:
  the objectives it has (the proxy, the area) carry their values, those it lacks (latency, energy)
  carry the worst value (+inf when minimised, -inf when maximised) and are listed in the trial's
  ``result["placeholder_objectives"]``. NSGA-II ranks such trials below every feasible one (by
  how much they violate), TPE counts them among the bad ones, so the sampler moves away from the
  region; a failed trial would simply be ignored by both;
- an evaluation error (an exception, a failed proxy, a timeout, a worker that died too often) is a
  failed trial with the error in ``result["error"]``: it says nothing about the design.

A run that was killed, stopped with Ctrl-C or left by its Ray cluster (``ExecutorLost``) leaves
trials in the RUNNING state; ``resume`` marks them failed and
re-queues their parameters, so no candidate is lost and they do not count against the budget.

A candidate that repeats an earlier complete trial (every part equal by ``SubSpace.key``) is not
evaluated again: it is told the earlier trial's values and constraints and its result names that
trial (``codesign.search.repeats``). One asked while its original is still being evaluated waits
for it; the index is rebuilt from the stored trials on resume.

With candidates in flight, a trial is asked ahead of their results only as far as the strategy
says its answer cannot depend on them (``Strategy.askable``; NSGA-II: within the current
generation). With an executor that returns results in submission order (``inline``,
``processes``) a parallel run then asks and tells the same trials as a one-at-a-time run.
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import TrialState

from codesign.report.front import FrontTracker
from codesign.report.status import format_duration, time_left_s
from codesign.search import optuna_internals as internals
from codesign.search.candidate import Candidate
from codesign.search.executors import ExecutorLost, make_executor
from codesign.search.experiment import Experiment
from codesign.search.pipeline import Outcome
from codesign.search.repeats import Answer, CandidateKey, RepeatIndex
from codesign.storage.run_dir import RunDir, trial_records
from codesign.storage.trial_attrs import (
    PARTS,
    REQUEUE_OF_ATTR,
    REQUEUED_ATTR,
    RESULT_ATTR,
    SEEDED_ATTR,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)

_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)
#: Name of the constraint every complete trial carries: the unmapped share of the network.
MAPPABLE = "mappable"
#: Seconds between progress-bar refreshes (the front's hypervolume is computed for each).
PROGRESS_INTERVAL_S = 0.25

__all__ = ["MAPPABLE", "REQUEUED_ATTR", "RunSummary", "run_search"]


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
    infeasible: int = 0
    #: Why the loop stopped: budget, time, exhausted (the strategy has nothing left), interrupted.
    reason: str = ""
    #: What interrupted it, on one line (Ctrl-C, the Ray cluster that went away); else empty.
    detail: str = ""
    #: Trials answered from an earlier trial with the same candidate (``result["repeat_of"]``).
    repeated: int = 0
    #: The experiment the run used (built once; ``front`` after a run reuses it).
    experiment: Any = field(default=None, repr=False, compare=False)


def _requeue_stale(study: optuna.Study) -> int:
    """Fail the trials a killed run left RUNNING and queue their parameters again."""
    stale = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.RUNNING]
    for t in stale:
        internals.fail_foreign_trial(study, t, {RESULT_ATTR: {"error": "interrupted; re-queued on resume"},
                                                REQUEUED_ATTR: True})
        if t.params:
            attrs = {REQUEUE_OF_ATTR: t.number}
            if SEEDED_ATTR in t.user_attrs:  # the copy keeps its seed's label
                attrs[SEEDED_ATTR] = t.user_attrs[SEEDED_ATTR]
            study.enqueue_trial(dict(t.params), user_attrs=attrs, skip_if_exists=False)
    return len(stale)


def _seeds(strategy: Any, seeds: list[tuple[dict[str, Any], str]], budget: int | None
           ) -> list[tuple[dict[str, Any], str]]:
    """The (parameters, label) of a prepared sample's architectures (already scored) that a
    fresh study's first trials take: as many as the strategy would draw at random and the budget
    allows; ``_ask`` queues them one at a time (so a run that stops early leaves none waiting)."""
    count = strategy.seedable(len(seeds))
    if budget is not None:
        count = min(count, budget)
    return seeds[:count]


def _ask(study: optuna.Study, seeds: list[tuple[dict[str, Any], str]]) -> optuna.Trial:
    """The next trial: the next seed's architecture while seeds are left (the sampler draws the
    rest of the trial), else the sampler's."""
    if seeds:
        params, label = seeds.pop(0)
        study.enqueue_trial(params, user_attrs={SEEDED_ATTR: label}, skip_if_exists=False)
    return study.ask()


def _tell(study: optuna.Study, experiment: Experiment, trial: optuna.Trial, candidate: Candidate,
          outcome: Outcome) -> tuple[str, list[float] | None, Answer | None]:
    """Record one outcome on its trial; returns ``feasible``, ``infeasible`` (it does not map or
    breaks a budget) or ``failed``, the values told and, for a complete trial, the answer a
    repeat of its candidate gets."""
    metrics = outcome.metrics
    result: dict[str, Any] = {
        PARTS: {name: sub.to_dict(candidate.part(name)) for name, sub in experiment.subspaces.items()},
        "metrics": metrics.to_json(),
        "seconds": round(outcome.seconds, 6),
        "arch_seconds": round(outcome.arch_seconds, 6),
        "cache_hit": outcome.cache_hit,
    }
    error = outcome.error
    values: list[float] = []
    placeholders: list[str] = []
    if not error:
        missing = []
        for o in experiment.objectives:
            value = metrics.value(o.metric.name)
            if value is None:
                if outcome.feasible:
                    missing.append(o.metric.name)
                placeholders.append(o.metric.name)
                value = math.inf if o.direction == "minimize" else -math.inf
            values.append(float(value))
        if missing:
            error = f"no value for objective(s) {', '.join(missing)}"
    if error:
        result["error"] = error
        trial.set_user_attr(RESULT_ATTR, result)
        study.tell(trial, state=TrialState.FAIL)
        return "failed", None, None
    if not outcome.feasible:
        result["infeasible"] = "; ".join(outcome.reasons) or "the design cannot be mapped"
        result["placeholder_objectives"] = placeholders
    constraints = {MAPPABLE: outcome.mappable_violation}
    for constraint in experiment.constraints:
        value = metrics.value(constraint.metric.name)
        if not outcome.feasible and value is None:
            # Unknown for a design that does not map (its latency, say): not told, and listed.
            result.setdefault("unevaluated_constraints", []).append(constraint.metric.name)
            continue
        constraints[constraint.metric.name] = constraint.violation(value)
    trial.set_user_attr(RESULT_ATTR, result)
    for name, violation in constraints.items():
        trial.set_constraint(name, violation)
    study.tell(trial, values)
    answer = Answer(trial.number, tuple(values), dict(constraints), result)
    return ("feasible" if all(v <= 0 for v in constraints.values()) else "infeasible"), values, answer


def _tell_repeat(study: optuna.Study, trial: optuna.Trial, answer: Answer) -> str:
    """Answer a repeated candidate from the earlier trial; returns ``feasible`` or ``infeasible``."""
    trial.set_user_attr(RESULT_ATTR, answer.repeat_result())
    for name, violation in answer.constraints.items():
        trial.set_constraint(name, violation)
    study.tell(trial, list(answer.values))
    return "feasible" if all(v <= 0 for v in answer.constraints.values()) else "infeasible"


class _Progress:
    """Trials done and per second, failures, infeasible trials, front size and hypervolume."""

    def __init__(self, quiet: bool, total: int | None, done: int) -> None:
        self.quiet = quiet
        self._progress = None
        self._last = 0.0
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
            TextColumn("failed {task.fields[failed]}"), TextColumn("infeasible {task.fields[infeasible]}"),
            TextColumn("front {task.fields[front]}"), TextColumn("HV {task.fields[hv]}"), TimeElapsedColumn(),
            TextColumn("left {task.fields[left]}"), transient=False,
        )
        self._task = self._progress.add_task("search", total=total, completed=done, rate="- trials/s",
                                             failed=0, infeasible=0, front=0, hv="-", left="-")
        self._progress.start()

    def due(self) -> bool:
        """Whether a refresh is due (they are throttled: the hypervolume is not free)."""
        return self._progress is not None and time.monotonic() - self._last >= PROGRESS_INTERVAL_S

    def update(self, done: int, rate: float, failed: int, infeasible: int, front: int, hv: float | None,
               left_s: float | None = None) -> None:
        if self._progress is None:
            return
        self._last = time.monotonic()
        self._progress.update(self._task, completed=done, rate=f"{rate:.1f} trials/s", failed=failed,
                              infeasible=infeasible, front=front, hv="-" if hv is None else f"{hv:.3f}",
                              left=format_duration(left_s))

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _stop_reason(config: Any, strategy: Any, study: optuna.Study, committed: int, start: float) -> str:
    """Why no further trial should be asked (``""``: ask one). ``committed``: trials finished or
    in flight, which together count against the trial budget."""
    if config.budget.trials is not None and committed >= config.budget.trials:
        return "budget"
    if config.budget.time is not None and time.monotonic() - start >= config.budget.time:
        return "time"
    left = strategy.remaining(study)
    if left is not None and left <= 0 and not study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        return "exhausted"
    return ""


def run_search(experiment: Experiment, run: RunDir, quiet: bool = False, resume: bool = False,
               ray_address: str | None = None) -> RunSummary:
    """Run (or continue) the search until the trial or time budget is reached, or the strategy
    has nothing left to propose."""
    with run.session() as session:
        summary = _search(experiment, run, quiet, resume, ray_address)
        extra = {"detail": summary.detail} if summary.detail else {}
        session.end(summary.reason, new_trials=summary.new_trials, finished=summary.finished, **extra)
    return summary


def _search(experiment: Experiment, run: RunDir, quiet: bool, resume: bool, ray_address: str | None) -> RunSummary:
    config = experiment.config
    strategy = experiment.strategy
    study = run.study(directions=experiment.directions, sampler=experiment.sampler)
    # Named objectives: optuna-dashboard and ``study.trials_dataframe`` show them by name.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.set_metric_names([o.metric.name for o in experiment.objectives])
    requeued = _requeue_stale(study) if resume else 0
    run.flush(sync=True)
    records = trial_records(study)
    finished = sum(r.state in ("COMPLETE", "FAIL", "PRUNED") and not r.requeued for r in records)
    tracker = FrontTracker(experiment.objectives)
    tracker.add_records(records)
    repeats = RepeatIndex(experiment.subspaces)
    repeats.add_records(records)
    budget_trials = config.budget.trials
    executor_cfg = config.executor
    pipeline = experiment.pipeline
    executor = make_executor(executor_cfg.name, pipeline.spec, executor_cfg.workers,
                             ray_address or executor_cfg.address, executor_cfg.trial_timeout, pipeline=pipeline)
    try:  # e.g. a rank combination's reference scores: once, on the workers where they run in parallel
        executor.prepare(pipeline)
    except BaseException:
        executor.close()
        raise
    # A fresh study's first random draws are the architectures the preparation just scored.
    seeds = _seeds(strategy, pipeline.seeds(), budget_trials) if not records else []
    batch_size = executor_cfg.batch_size or (1 if executor.parallelism == 1 else 2 * executor.parallelism)
    progress = _Progress(quiet, budget_trials, finished)
    start = time.monotonic()
    new_trials = failed = infeasible = repeated = 0
    reason = detail = ""

    def show(force: bool = False) -> None:
        if force or progress.due():
            elapsed = time.monotonic() - start
            rate = new_trials / elapsed if elapsed > 0 else 0.0
            progress.update(finished, rate, failed, infeasible, tracker.size, tracker.hypervolume(),
                            time_left_s(budget_trials, config.budget.time, finished, rate, elapsed))

    in_flight: dict[int, tuple[optuna.Trial, Candidate, CandidateKey]] = {}
    evaluating: dict[CandidateKey, int] = {}  # candidate key -> the in-flight trial evaluating it
    waiting: dict[CandidateKey, list[tuple[optuna.Trial, Candidate]]] = {}  # repeats of those

    def submit(trial: optuna.Trial, candidate: Candidate, key: CandidateKey) -> None:
        in_flight[trial.number] = (trial, candidate, key)
        evaluating[key] = trial.number
        executor.submit(trial.number, candidate)

    def told(kind: str, values: list[float] | None) -> None:
        """Count a told trial; ``values`` None for a repeat (its original is in the front already)."""
        nonlocal failed, infeasible, new_trials, finished, repeated
        repeated += values is None and kind != "failed"
        failed += kind == "failed"
        infeasible += kind == "infeasible"
        if kind == "feasible" and values is not None:
            tracker.add(values)
        new_trials += 1
        finished += 1

    try:
        while True:
            # Keep batch_size candidates in flight: ask one for every result told.
            while len(in_flight) < batch_size:
                parked = sum(len(v) for v in waiting.values())
                reason = _stop_reason(config, strategy, study, finished + len(in_flight) + parked, start)
                if reason:
                    break
                if in_flight:  # ask ahead only where the strategy's answer cannot depend on those results
                    room = strategy.askable(study, len(in_flight) + parked)
                    if room is not None and room <= 0:
                        break
                trial = _ask(study, seeds)
                candidate = experiment.candidate(trial)
                key = repeats.key(candidate.parts)
                answer = repeats.lookup(key)
                if answer is not None:  # a repeat: the earlier answer, told now (not in the front)
                    told(_tell_repeat(study, trial, answer), None)
                elif key in evaluating:
                    waiting.setdefault(key, []).append((trial, candidate))
                else:
                    submit(trial, candidate, key)
            if not in_flight:
                break
            run.flush()  # the asked trials are visible as running
            number, outcome = executor.next_result()
            trial, candidate, key = in_flight.pop(number)
            del evaluating[key]
            kind, values, answer = _tell(study, experiment, trial, candidate, outcome)
            told(kind, values)
            queued = waiting.pop(key, [])
            if answer is not None:
                repeats.add(key, answer)
                for other, _ in queued:
                    told(_tell_repeat(study, other, answer), None)
            elif queued:  # the original failed: evaluate the first repeat, the others wait on it
                submit(*queued[0], key)
                if queued[1:]:
                    waiting[key] = queued[1:]
            run.flush()  # a told trial is on disk before the next result is handled
            show()
    except KeyboardInterrupt:
        reason, detail = "interrupted", "Ctrl-C"
    except ExecutorLost as exc:  # trials in flight stay running: a resume queues them again
        reason, detail = "interrupted", str(exc)
    finally:
        try:
            run.flush(sync=True)
        finally:  # a journal that cannot be written (full, read-only) still releases the workers
            # The loop's time ends here: shutting a local Ray down (~1.5 s) is teardown, not search.
            elapsed = time.monotonic() - start
            show(force=True)
            progress.close()
            executor.close()
    return RunSummary(run_dir=str(run.path), finished=finished, budget_trials=budget_trials, new_trials=new_trials,
                      failed=failed, front_size=tracker.size, hypervolume=tracker.hypervolume(), seconds=elapsed,
                      interrupted=reason == "interrupted", requeued=requeued,
                      rate_per_s=new_trials / elapsed if elapsed > 0 else 0.0, infeasible=infeasible,
                      reason=reason, detail=detail, experiment=experiment, repeated=repeated)
