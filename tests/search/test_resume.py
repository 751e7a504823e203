"""A run killed with SIGKILL mid-search resumes without losing a completed trial."""
import os
import signal
import subprocess
import sys
import time

import yaml

from codesign.storage.run_dir import RunDir
from tests.conftest import tiny_config


def test_kill_9_then_resume_reaches_budget(tmp_path):
    config = tiny_config(budget={"trials": 30}, name="killme")
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
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {r.number: r.values for r in RunDir(out).trials() if r.state == "COMPLETE"}
    assert len(before) >= 8

    resumed = subprocess.run([sys.executable, "-m", "codesign.cli.main", "run", "--resume", str(out), "--quiet"],
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    after = RunDir(out).trials()
    after_complete = {r.number: r.values for r in after if r.state == "COMPLETE"}
    for number, values in before.items():  # nothing completed was lost or changed
        assert after_complete[number] == values
    counted = [r for r in after if r.state in ("COMPLETE", "FAIL") and not r.result.get("error", "").startswith("interrupted")]
    assert len(counted) == 30
