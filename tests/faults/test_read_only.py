"""A run directory, journal or output place that cannot be written: one line naming the path,
exit 2, nothing on disk changed, the journal readable, and the run resumes once it is writable.

The tests run as root here, for whom permission bits do not bind: the commands run without
``CAP_DAC_OVERRIDE`` (in this process under ``permissions_binding``, in a child started with
``bound_by_permissions``), so ``chmod a-w`` binds them as it binds any user; a machine where that
is not possible skips with the reason. Faults are injected at a known evaluation (the synthetic
stage's n-th), not after a while."""
from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from codesign.report.status import run_status
from codesign.storage.run_dir import RunDir
from tests.faults.helpers import (
    HANG_S,
    bound_by_permissions,
    cli_argv,
    completed,
    counts,
    permissions_bind,
    permissions_binding,
    read_only,
    snapshot,
    writable,
    write_config,
)
from tests.search.helpers import run_config, synthetic_config

BUDGET = 8


@pytest.fixture(autouse=True)
def _permissions_bind(tmp_path_factory):
    why = permissions_bind(tmp_path_factory.mktemp("probe"))
    if why:
        pytest.skip(f"read-only folders cannot be simulated here: {why}")


def _at_evaluation(monkeypatch, n: int, action: Callable[[], None]) -> None:
    """Run ``action`` once, when a synthetic stage of this process starts its ``n``-th evaluation."""
    from codesign.search.stages.synthetic import SyntheticStage

    original, fired = SyntheticStage._pause, []

    def pause(self) -> None:
        original(self)
        if self._done == n and not fired:
            fired.append(n)
            action()

    monkeypatch.setattr(SyntheticStage, "_pause", pause)


def _ctrl_c() -> None:
    raise KeyboardInterrupt


def assert_one_line(code: int, err: str, *words: str) -> None:
    """Exit 2 and exactly one line on stderr, holding every one of ``words``."""
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1, err[-3000:]
    assert all(w in lines[0] for w in words), lines[0]


def _resume_reaches_the_budget(cli, out, kept) -> None:
    code, _, err = cli("run", "--resume", str(out), "--quiet")
    assert code == 0, err[-3000:]
    now = completed(out)
    assert all(now.get(n) == v for n, v in kept.items()), "a completed trial was lost or changed"
    assert run_status(RunDir(out))["finished"] == BUDGET


def test_resume_of_a_read_only_run_directory(tmp_path, monkeypatch, cli):
    out = tmp_path / "run"
    _at_evaluation(monkeypatch, 4, _ctrl_c)  # an interrupted run: 3 complete, the fourth running
    _, summary = run_config(out, synthetic_config(budget={"trials": BUDGET}))
    assert summary.reason == "interrupted" and counts(out).get("RUNNING") == 1
    kept, before = completed(out), snapshot(out)
    read_only(out)
    try:
        with permissions_binding():
            assert_one_line(*cli("run", "--resume", str(out), "--quiet")[::2], str(out), "Permission denied",
                            "cannot run a search")
            assert snapshot(out) == before
            # Reading a read-only run works: status, front, an export to a writable place.
            code, text, err = cli("status", str(out), "--json")
            assert code == 0 and json.loads(text)["state"] == "interrupted", err
            code, text, err = cli("front", str(out), "--json")
            assert code == 0 and json.loads(text), err
            bundle = tmp_path / "bundle"
            code, _, err = cli("export", str(out), "--trial", str(json.loads(text)[0]["trial"]), "--out", str(bundle),
                               "--no-onnx")
            assert code == 0 and (bundle / "metrics.json").is_file(), err
        assert snapshot(out) == before
    finally:
        writable(out)
    _resume_reaches_the_budget(cli, out, kept)


def test_a_journal_that_turns_read_only_mid_run_and_at_resume(tmp_path, monkeypatch, cli):
    config = write_config(tmp_path, {}, BUDGET)
    out = tmp_path / "run"
    journal = out / "study.journal"
    seen = {}

    def lock() -> None:  # while the fourth trial is evaluated: its result cannot be written
        read_only(journal)
        seen.update(kept=completed(out), journal=journal.read_bytes())

    _at_evaluation(monkeypatch, 4, lock)
    with permissions_binding():
        assert_one_line(*cli("run", str(config), "--out", str(out), "--quiet")[::2], str(journal),
                        "Permission denied")
        assert journal.read_bytes() == seen["journal"] and completed(out) == seen["kept"]  # readable, unchanged
        assert len(seen["kept"]) == 3
        status = run_status(RunDir(out))
        assert status["state"] == "interrupted" and "Permission denied" in status["reason"]
        # Resumed while the journal is still read-only: refused in one line, nothing written.
        assert_one_line(*cli("run", "--resume", str(out), "--quiet")[::2], str(journal), "Permission denied")
        assert journal.read_bytes() == seen["journal"]
    writable(journal)
    _resume_reaches_the_budget(cli, out, seen["kept"])


def test_a_new_run_in_a_read_only_place_creates_nothing(tmp_path, cli):
    config = write_config(tmp_path, {}, BUDGET)
    parent = tmp_path / "locked"
    parent.mkdir()
    read_only(parent)
    try:
        # A real process: its exit status and its whole stderr.
        proc = subprocess.run(cli_argv("run", str(config), "--out", str(parent / "run"), "--quiet"),
                              capture_output=True, text=True, timeout=HANG_S, preexec_fn=bound_by_permissions)
        assert_one_line(proc.returncode, proc.stderr, str(parent / "run"), "Permission denied")
        with permissions_binding():  # an existing, empty, read-only folder as --out
            assert_one_line(*cli("run", str(config), "--out", str(parent), "--quiet")[::2], str(parent),
                            "Permission denied")
        assert list(parent.iterdir()) == []
    finally:
        writable(parent)


def test_report_export_and_plot_into_a_read_only_place(tmp_path, cli):
    out = tmp_path / "run"
    run_config(out, synthetic_config(budget={"trials": BUDGET}))
    locked = tmp_path / "locked"
    locked.mkdir()
    before = snapshot(out)
    read_only(locked)
    try:
        with permissions_binding():
            for args, target in [
                (["report", str(out), "--out", str(locked / "r.html")], locked / "r.html"),
                (["export", str(out), "--trial", "0", "--out", str(locked / "b"), "--no-onnx"], locked / "b"),
                (["plot", str(out), "--kind", "front", "--out", str(locked / "f.svg")], locked / "f.svg"),
            ]:
                assert_one_line(*cli(*args)[::2], str(target), "Permission denied")
            assert list(locked.iterdir()) == []
            read_only(out)  # the report's default place: inside the run directory
            assert_one_line(*cli("report", str(out))[::2], str(out / "report.html"), "Permission denied")
    finally:
        writable(locked)
        writable(out)
    assert snapshot(out) == before
