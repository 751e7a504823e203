"""A run killed with SIGKILL mid-search resumes without losing a completed trial; ``status`` calls
it running while it runs, interrupted once killed and complete after the resume."""
import os
import signal
import subprocess
import sys
import time

import yaml

from codesign.report.status import run_status
from codesign.storage.run_dir import RunDir
from tests.conftest import tiny_config


def test_kill_9_then_resume_reaches_budget(tmp_path):
    # Synthetic scores that take 0.3 s each: a steady pace to kill the run at.
    config = tiny_config(budget={"trials": 30}, name="killme",
                         evaluator={"name": "synthetic", "options": {"sleep_s": 0.3}})
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config))
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "codesign.cli.main", "run", str(path), "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    completed_before = []
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if (out / "study.journal").exists():
            completed_before = [r for r in RunDir(out).trials() if r.state == "COMPLETE"]
            if len(completed_before) >= 8:
                break
    assert proc.poll() is None, "the run finished before it could be killed"
    status = run_status(RunDir(out))
    assert status["state"] == "running" and status["pid"] == proc.pid
    assert status["complete"] >= 8 and status["budget_trials"] == 30 and status["rate_per_s"] > 0
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {r.number: r.values for r in RunDir(out).trials() if r.state == "COMPLETE"}
    assert len(before) >= 8
    status = run_status(RunDir(out))
    # Killed mid-evaluation, a trial is left running (unless the kill fell between a tell and the
    # next ask): either way the dead process makes the run "interrupted".
    assert status["state"] == "interrupted" and status["pid"] is None
    left_running = status["running"]

    resumed = subprocess.run([sys.executable, "-m", "codesign.cli.main", "run", "--resume", str(out), "--quiet"],
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    after = RunDir(out).trials()
    after_complete = {r.number: r.values for r in after if r.state == "COMPLETE"}
    for number, values in before.items():  # nothing completed was lost or changed
        assert after_complete[number] == values
    counted = [r for r in after if r.state in ("COMPLETE", "FAIL") and not r.result.get("error", "").startswith("interrupted")]
    assert len(counted) == 30
    status = run_status(RunDir(out))
    assert status["state"] == "complete" and status["finished"] == 30 and status["running"] == 0
    assert status["requeued"] == len([r for r in after if r.requeued]) == left_running
