"""Faults of a run process: Ctrl-C (SIGINT) stops it as ``interrupted`` and it resumes; two
``--resume`` at once run it once (the other refuses in one line); a full disk (a file-size limit)
is one line, leaves a readable journal and the run resumes; a stale heartbeat means a dead run."""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess

from codesign.report.status import run_status
from codesign.storage import session as session_mod
from codesign.storage.run_dir import RunDir
from tests.faults.helpers import (
    cli_argv,
    completed,
    counts,
    paused_at,
    start,
    wait_for,
    write_config,
)

BUDGET = 10


def test_ctrl_c_stops_as_interrupted_and_two_resumes_at_once_run_it_once(tmp_path):
    pause = tmp_path / "pause"
    pause.touch()
    config = write_config(tmp_path, {"pause_file": str(pause), "pause_after": 3}, BUDGET)
    out = tmp_path / "run"
    proc = start(["run", str(config), "--out", str(out), "--quiet"])
    wait_for(paused_at(out, 3), proc, "3 complete trials and a fourth running")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=600) == 130
    assert "Traceback" not in proc.stderr.read()
    session = json.loads((out / "session.json").read_text())
    assert session["state"] == "ended" and session["reason"] == "interrupted"
    assert run_status(RunDir(out))["state"] == "interrupted"
    kept = completed(out)
    assert len(kept) == 3

    # Two resumes at once: exactly one holds the run (it pauses again), the other refuses.
    first, second = (start(["run", "--resume", str(out), "--quiet"]) for _ in range(2))
    wait_for(lambda: first.poll() is not None or second.poll() is not None, None, "one resume to refuse")
    loser, winner = (first, second) if first.poll() is not None else (second, first)
    err = loser.stderr.read()
    assert loser.returncode == 2 and err.count("\n") == 1 and "a search is running on it" in err, err
    pause.unlink()
    assert winner.wait(timeout=600) == 0, winner.stderr.read()
    now = completed(out)
    assert all(now[n] == v for n, v in kept.items())
    assert run_status(RunDir(out))["state"] == "complete" and counts(out).get("RUNNING", 0) == 0


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_is_one_line_and_the_journal_stays_readable(tmp_path, cli):
    config = write_config(tmp_path, {}, 200)
    out = tmp_path / "run"
    # Files may not grow past 40 KB: the journal hits it after a few dozen trials.
    proc = subprocess.run(cli_argv("run", str(config), "--out", str(out), "--quiet"), capture_output=True,
                          text=True, timeout=600, preexec_fn=_limit_file_size(40_000))
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-3000:]
    assert "study.journal" in lines[0] and "File too large" in lines[0]
    journal = (out / "study.journal").read_bytes()
    assert journal.endswith(b"\n") and len(journal) <= 40_000  # cut back to its last complete log
    kept = completed(out)
    assert len(kept) >= 1
    code, text, _ = cli("status", str(out), "--json")
    status = json.loads(text)
    assert code == 0 and status["state"] == "stopped" and "File too large" in status["reason"]
    proc = subprocess.run(cli_argv("run", "--resume", str(out), "--quiet"), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    now = completed(out)
    assert all(now[n] == v for n, v in kept.items())
    assert run_status(RunDir(out))["finished"] == 200


def test_a_stale_heartbeat_marks_the_run_dead(tmp_path, monkeypatch):
    """A holder on another host cannot be asked whether its process lives: its heartbeat decides."""
    clock = [1_000_000.0]
    monkeypatch.setattr(session_mod, "_now", lambda: clock[0])
    info = {"state": "running", "pid": os.getpid(), "host": "elsewhere", "heartbeat": clock[0]}
    (tmp_path / session_mod.SESSION_FILE).write_text(json.dumps(info))
    assert session_mod.read_liveness(tmp_path).state == "running"
    clock[0] += session_mod.STALE_AFTER_S - 1
    assert session_mod.read_liveness(tmp_path).state == "running"
    clock[0] += 2
    assert session_mod.read_liveness(tmp_path).state == "dead"
    # A dead holder does not keep the run: a new session takes it.
    with session_mod.Session(tmp_path):
        assert session_mod.read_liveness(tmp_path).state == "running"
    assert session_mod.read_liveness(tmp_path).state == "ended"


def test_an_executor_lost_mid_run_stops_it_as_interrupted(tmp_path, monkeypatch, cli):
    """``ExecutorLost`` (the Ray cluster gone) after three results: exit 130, one line naming
    it, the session ended as interrupted with the detail, the trial in flight left to re-queue.
    (The real cluster: ``tests/search/test_ray_cluster.py``.)"""
    import codesign.search.loop as loop
    from codesign.search.executors import ExecutorLost, make_executor

    lost = "the Ray cluster at 10.0.0.5:6379 went away (Connection refused)"

    def make_losing(*args, **kwargs):
        executor = make_executor(*args, **kwargs)
        real_next, results = executor.next_result, []

        def next_result():
            if len(results) == 3:
                raise ExecutorLost(lost)
            results.append(real_next())
            return results[-1]

        executor.next_result = next_result
        return executor

    monkeypatch.setattr(loop, "make_executor", make_losing)
    out = tmp_path / "run"
    code, _, err = cli("run", str(write_config(tmp_path, {}, BUDGET)), "--out", str(out), "--quiet")
    assert code == 130 and err.splitlines() == [f"codesign: interrupted: {lost}; continue with "
                                                f"`codesign run --resume {out}`"]
    session = json.loads((out / "session.json").read_text())
    assert session["reason"] == "interrupted" and session["detail"] == lost
    c = counts(out)  # three evaluated (and any repeat answered meanwhile), one in flight
    assert c["COMPLETE"] - c.get("REPEAT", 0) == 3 and c["RUNNING"] == 1 and "FAIL" not in c
    status = run_status(RunDir(out))
    assert status["state"] == "interrupted" and status["detail"] == lost
    kept = completed(out)
    monkeypatch.undo()
    code, _, err = cli("run", "--resume", str(out), "--quiet")
    assert code == 0, err
    assert all(completed(out)[n] == v for n, v in kept.items())
    assert run_status(RunDir(out))["finished"] == BUDGET
