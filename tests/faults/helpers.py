"""Running ``codesign run`` as a real process and waiting for events in its run directory.

Waits poll the run directory until a condition holds; the limit is a hang detector (the
condition never came), not a timed assertion."""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from codesign.storage.run_dir import RunDir
from tests.search.helpers import synthetic_config

#: Seconds after which a wait is taken to hang.
HANG_S = 600


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "codesign.cli.main", *args]


def start(args: list[str], **kwargs: Any) -> subprocess.Popen:
    """``codesign ARGS`` in the background (stderr kept for the assertions)."""
    return subprocess.Popen(cli_argv(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs)


def write_config(folder: Path, options: dict[str, Any], trials: int, **overrides: Any) -> Path:
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(synthetic_config(options, budget={"trials": trials}, **overrides)))
    return path


def counts(out: Path) -> dict[str, int]:
    """Trials by state as the journal holds them now (a torn last line is not read)."""
    if not (out / "study.journal").exists():
        return {}
    out_counts: dict[str, int] = {}
    for r in RunDir(out).trials():
        out_counts[r.state] = out_counts.get(r.state, 0) + 1
        if r.state == "COMPLETE" and r.result.get("repeat_of") is not None:
            out_counts["REPEAT"] = out_counts.get("REPEAT", 0) + 1
    return out_counts


def completed(out: Path) -> dict[int, tuple[float, ...] | None]:
    """Complete trials: number → objective values."""
    return {r.number: r.values for r in RunDir(out).trials() if r.state == "COMPLETE"}


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen | None, what: str) -> None:
    """Return once ``condition()`` holds; fail if ``proc`` exits first or nothing happens."""
    deadline = time.monotonic() + HANG_S
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process exited ({proc.returncode}) before {what}: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"hang: {what} did not happen")
        time.sleep(0.2)  # each look parses the journal: leave the CPU to the run


def paused_at(out: Path, complete: int) -> Callable[[], bool]:
    """The run has ``complete`` trials done and the next one running (paused in evaluation)."""
    def check() -> bool:
        c = counts(out)
        # Repeats are answered without an evaluation, so they do not move the pause point.
        return c.get("COMPLETE", 0) - c.get("REPEAT", 0) == complete and c.get("RUNNING", 0) == 1
    return check
