"""``kill -9`` at several points of a run, a torn last journal record, and a kill at a random
moment: each ``--resume`` keeps every completed trial (same number, same values) and the last one
reaches the budget. ``status`` calls the run running, interrupted and complete on the way.

The run is stopped at known points by the synthetic evaluator's ``pause_file`` (each process
pauses after ``pause_after`` evaluations while the file exists), so no kill depends on speed."""
from __future__ import annotations

import os
import random
import signal
import subprocess

from codesign.report.status import run_status
from codesign.storage.run_dir import RunDir
from tests.faults.helpers import (
    cli_argv,
    completed,
    counts,
    exited,
    paused_at,
    process_parents,
    start,
    wait_for,
    write_config,
)

BUDGET = 16
PAUSE_AFTER = 4


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _assert_kept(before: dict, out) -> dict:
    """Every trial complete in ``before`` is still complete with the same values."""
    now = completed(out)
    for number, values in before.items():
        assert now.get(number) == values, f"completed trial {number} was lost or changed"
    return now


def _tear_last_record(journal) -> None:
    """Cut the journal's last line in half, as a kill in the middle of an append leaves it."""
    data = journal.read_bytes()
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    journal.write_bytes(data[:len(data) - 1 - len(last) // 2])


def test_kill_9_at_several_points_then_resume_reaches_the_budget(tmp_path):
    pause = tmp_path / "pause"
    pause.touch()
    config = write_config(tmp_path, {"pause_file": str(pause), "pause_after": PAUSE_AFTER}, BUDGET, name="killme")
    out = tmp_path / "run"

    # 1. Killed while evaluating trial 5 (4 complete).
    proc = start(["run", str(config), "--out", str(out), "--quiet"])
    wait_for(paused_at(out, PAUSE_AFTER), proc, "4 complete trials and a fifth running")
    status = run_status(RunDir(out))
    assert status["state"] == "running" and status["pid"] == proc.pid and status["budget_trials"] == BUDGET
    _kill(proc)
    status = run_status(RunDir(out))
    assert status["state"] == "interrupted" and status["pid"] is None and status["running"] == 1
    kept = completed(out)
    assert len(kept) == PAUSE_AFTER

    # 2. Resumed: the re-queued trial and three more, killed while evaluating the next.
    proc = start(["run", "--resume", str(out), "--quiet"])
    wait_for(paused_at(out, 2 * PAUSE_AFTER), proc, "8 complete trials and a ninth running")
    _kill(proc)
    kept = _assert_kept(kept, out)

    # 3. A torn last record (a kill in the middle of an append): the complete lines before it count.
    _tear_last_record(out / "study.journal")
    kept = completed(out)
    assert len(kept) >= 2 * PAUSE_AFTER - 1

    # 4. No pause: killed at a random moment (when the journal has grown by a random size), or
    #    not at all if the run finishes first; either way nothing completed is lost.
    pause.unlink()
    journal = out / "study.journal"
    grown = journal.stat().st_size + random.Random(os.getpid()).randrange(1, 20_000)
    proc = start(["run", "--resume", str(out), "--quiet"])
    wait_for(lambda: proc.poll() is not None or journal.stat().st_size >= grown, None, "the journal to grow")
    if proc.poll() is None:
        _kill(proc)
    kept = _assert_kept(kept, out)

    # 5. The last resume reaches the budget.
    done = subprocess.run(cli_argv("run", "--resume", str(out), "--quiet"), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    _assert_kept(kept, out)
    records = RunDir(out).trials()
    counted = [r for r in records if r.state in ("COMPLETE", "FAIL") and not r.requeued]
    assert len(counted) == BUDGET and counts(out).get("RUNNING", 0) == 0
    status = run_status(RunDir(out))
    assert status["state"] == "complete" and status["finished"] == BUDGET
    assert status["requeued"] == len([r for r in records if r.requeued]) >= 2


def test_kill_9_of_the_driver_ends_its_busy_workers_and_resume_is_not_refused(tmp_path):
    """Both ``processes`` workers are paused in their second evaluation (they hold copies of the
    driver's files, the run directory's lock among them) when the driver is killed: the workers
    end with it, mid-evaluation, and a ``--resume`` right away is let in and reaches the budget."""
    budget = 6
    pause = tmp_path / "pause"
    pause.touch()
    options = {"pause_file": str(pause), "pause_after": 1, "hang_s": 600}
    config = write_config(tmp_path, options, budget, executor={"name": "processes", "workers": 2})
    out = tmp_path / "run"
    proc = start(["run", str(config), "--out", str(out), "--quiet"])
    try:
        wait_for(lambda: counts(out).get("COMPLETE", 0) >= 2 and counts(out).get("RUNNING", 0) >= 2, proc,
                 "both workers paused in their second evaluation")
        workers = {pid for pid, parent in process_parents().items() if parent == proc.pid}
        assert len(workers) == 2
        _kill(proc)
        wait_for(lambda: all(exited(pid) for pid in workers), None, "the workers ended with their driver")
        pause.unlink()  # (the resumed run's own workers would pause too)
        done = subprocess.run(cli_argv("run", "--resume", str(out), "--quiet"), capture_output=True, text=True,
                              timeout=600, env={**os.environ})
    finally:
        pause.unlink(missing_ok=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert run_status(RunDir(out))["finished"] == budget
