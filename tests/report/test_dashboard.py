"""optuna-dashboard reads a run's study: started on 127.0.0.1, its HTTP API lists the study with
its trials and the objective names the search set (``study.set_metric_names``)."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from codesign.errors import CodesignError
from codesign.report.trials import load_run

#: Seconds the server may take to start on a loaded machine (a readiness wait, not an assertion).
START_WAIT_S = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _serve_and_query(argv: list[str], port: int) -> tuple[dict, dict]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + START_WAIT_S
        while True:
            try:
                studies = _get(f"http://127.0.0.1:{port}/api/studies")
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"dashboard did not start: {proc.communicate()[0][-2000:]}") from None
                time.sleep(0.5)
        study_id = studies["study_summaries"][0]["study_id"]
        return studies, _get(f"http://127.0.0.1:{port}/api/studies/{study_id}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _check(studies: dict, detail: dict, run_path) -> None:
    view = load_run(run_path)
    assert [s["study_name"] for s in studies["study_summaries"]] == [view.run_dir.study_name]
    assert detail["objective_names"] == [o.metric.name for o in view.objectives]
    assert len(detail["trials"]) == len(view.records)
    states = {t["number"]: t["state"] for t in detail["trials"]}
    assert states == {r.number: r.state.capitalize() for r in view.records}
    complete = next(t for t in detail["trials"] if t["state"] == "Complete")
    assert len(complete["values"]) == len(view.objectives)


def test_codesign_dashboard_serves_the_runs_study(run_path):
    port = _free_port()
    argv = [sys.executable, "-m", "codesign.cli.main", "dashboard", str(run_path), "--port", str(port)]
    _check(*_serve_and_query(argv, port), run_path)


def test_plain_optuna_dashboard_reads_the_journal(run_path):
    port = _free_port()
    argv = [sys.executable, "-c", "from optuna_dashboard._cli import main; main()",
            str(run_path / "study.journal"), "--host", "127.0.0.1", "--port", str(port)]
    _check(*_serve_and_query(argv, port), run_path)


def test_read_only_storage_refuses_writes(run_path):
    from codesign.report.dashboard import run_storage

    storage = run_storage(load_run(run_path).run_dir)
    study_id = storage.get_all_studies()[0]._study_id
    with pytest.raises(CodesignError, match="read-only"):
        storage.set_study_user_attr(study_id, "note", "x")
