"""``codesign status``: where a run stands, whether it is running, finished or was interrupted.

The state comes from the trials and from ``session.json`` (``codesign/storage/session.py``):

- ``running``: a live process holds the run (its heartbeat is fresh);
- ``complete``: the trial budget is reached (or the strategy has nothing left, as a finished grid);
- ``interrupted``: the process was killed (trials left running, a dead holder) or stopped with
  Ctrl-C; ``codesign run --resume`` continues it;
- ``stopped``: the last session ended cleanly before the trial budget (its time budget ran out,
  or an error stopped it; ``reason`` says which);
- ``not started``: no trial yet.
"""
from __future__ import annotations

import time
from typing import Any

from codesign.report.front import compute_front, front_hypervolume
from codesign.storage.run_dir import RunDir


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


def run_status(run_dir: RunDir) -> dict[str, Any]:
    """Counts, budget, front size, hypervolume, rate and state of a run (SI units)."""
    from codesign.search.experiment import Experiment

    experiment = Experiment.from_config(run_dir.config())
    records = run_dir.trials()
    front = compute_front(records, experiment.objectives)
    budget = experiment.config.budget
    counted = [r for r in records if not r.requeued]
    finished = sum(r.state in ("COMPLETE", "FAIL", "PRUNED") for r in counted)
    live = run_dir.liveness()
    info = live.info
    started = info.get("started_ts")
    session_end = info.get("ended_ts") if live.state == "ended" else None
    rate = None
    if started is not None:
        span = (session_end or time.time()) - float(started)
        done = sum(1 for r in counted if r.completed is not None and r.completed >= float(started))
        rate = done / span if span > 0 else None
    state = _state(live.state, live.reason, budget.trials is not None and finished >= budget.trials,
                   front.n_running, len(records))
    return {
        "run_dir": str(run_dir.path), "state": state, "reason": live.reason or None,
        "finished": finished, "complete": front.n_complete, "feasible": front.n_feasible,
        "infeasible": sum(r.infeasible for r in records), "failed": sum(r.state == "FAIL" for r in counted),
        "requeued": sum(r.requeued for r in records), "running": front.n_running,
        "budget_trials": budget.trials, "budget_time_s": budget.time,
        "front_size": len(front.trials), "hypervolume": front_hypervolume(records, experiment.objectives),
        "rate_per_s": rate, "strategy": experiment.config.strategy.name,
        "storage": run_dir.storage_url() or "journal file",
        "pid": info.get("pid") if state == "running" else None,
    }
