"""``codesign status``: where a run stands, whether it is running, finished or was interrupted.

The state comes from the trials and from ``session.json`` (``codesign/storage/session.py``):

- ``running``: a live process holds the run (its heartbeat is fresh);
- ``complete``: the trial budget is reached (or the strategy has nothing left, as a finished grid);
- ``interrupted``: the process was killed (trials left running, a dead holder), stopped with
  Ctrl-C or left by its Ray cluster (``detail`` says which); ``codesign run --resume`` continues it;
- ``stopped``: the last session ended cleanly before the trial budget (its time budget ran out,
  or an error stopped it; ``reason`` says which);
- ``not started``: no trial yet.
"""
from __future__ import annotations

import time
from typing import Any

from codesign.report.front import compute_front, front_hypervolume
from codesign.storage.run_dir import RunDir, TrialRecord


def _state(live_state: str, reason: str, budget_reached: bool, running: int, trials: int) -> str:
    if live_state == "running":
        return "running"
    if budget_reached or reason == "exhausted":
        return "complete"
    if live_state == "dead" or running or reason == "interrupted":
        return "interrupted"
    if trials == 0 and live_state == "none":
        return "not started"
    return "stopped"


def time_left_s(budget_trials: int | None, budget_time_s: float | None, finished: int,
                rate_per_s: float | None, elapsed_s: float | None) -> float | None:
    """Seconds until the run stops: the sooner of the time budget's end and the trial budget at
    the current rate (``None`` when neither is known)."""
    left = []
    if budget_time_s is not None and elapsed_s is not None:
        left.append(max(0.0, budget_time_s - elapsed_s))
    if budget_trials is not None and rate_per_s:
        left.append(max(0, budget_trials - finished) / rate_per_s)
    return min(left) if left else None


def format_duration(seconds: float | None) -> str:
    """``1h02m``, ``3m05s``, ``42s``; ``-`` when unknown."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def run_status(run_dir: RunDir, experiment: Any = None, records: list[TrialRecord] | None = None) -> dict[str, Any]:
    """Counts, budget, front size, hypervolume, rate, time left and state of a run (SI units);
    ``experiment`` and ``records`` when the caller has read them already."""
    from codesign.search.experiment import Experiment

    experiment = experiment or Experiment.from_config(run_dir.config())
    records = run_dir.trials() if records is None else records
    front = compute_front(records, experiment.objectives)
    budget = experiment.config.budget
    counted = [r for r in records if not r.requeued]
    finished = sum(r.state in ("COMPLETE", "FAIL", "PRUNED") for r in counted)
    live = run_dir.liveness()
    info = live.info
    started = info.get("started_ts")
    session_end = info.get("ended_ts") if live.state == "ended" else None
    rate = span = None
    if started is not None:
        span = (session_end or time.time()) - float(started)
        done = sum(1 for r in counted if r.completed is not None and r.completed >= float(started))
        rate = done / span if span > 0 else None
    state = _state(live.state, live.reason, budget.trials is not None and finished >= budget.trials,
                   front.n_running, len(records))
    return {
        "run_dir": str(run_dir.path), "state": state, "reason": live.reason or None,
        "detail": info.get("detail") if live.state == "ended" else None,
        "finished": finished, "complete": front.n_complete, "feasible": front.n_feasible,
        "infeasible": sum(r.infeasible for r in records), "failed": sum(r.state == "FAIL" for r in counted),
        "requeued": sum(r.requeued for r in records), "running": front.n_running,
        "budget_trials": budget.trials, "budget_time_s": budget.time,
        "front_size": len(front.trials), "hypervolume": front_hypervolume(records, experiment.objectives),
        "rate_per_s": rate,
        "time_left_s": time_left_s(budget.trials, budget.time, finished, rate, span) if state == "running" else None,
        "strategy": experiment.config.strategy.name,
        "storage": run_dir.storage_url() or "journal file",
        "pid": info.get("pid") if state == "running" else None,
    }
