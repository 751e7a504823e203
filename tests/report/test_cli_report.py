"""``codesign report`` / ``plot`` / ``status``: outputs, bad input (one line, exit 2), a run in progress."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from codesign.storage.run_dir import JOURNAL_FILE, RunDir
from codesign.storage.session import Session
from tests.report.conftest import make_run
from tests.search.helpers import synthetic_config


def _one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


class _Refs(HTMLParser):
    """Every attribute of the page that could fetch something (src, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [f"{tag}.{k}={v}" for k, v in attrs if k in ("src", "href")]


def test_report_is_one_offline_file_with_the_whole_payload(run_path, tmp_path, cli):
    out = tmp_path / "r.html"
    code, text, err = cli("report", str(run_path), "--out", str(out), "--detail", "2")
    assert code == 0, err
    html = out.read_text()
    refs = _Refs()
    refs.feed(html)
    assert refs.refs == []  # nothing loaded from elsewhere: the scripts are inline
    assert "Plotly" in html and out.stat().st_size < 10e6
    data = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    payload = json.loads(data)
    assert len(payload["trials"]) == len(RunDir.open(run_path).trials())
    assert len(payload["details"]) == 2
    assert "run complete" in text


def test_payload_text_cannot_close_its_script_element():
    from codesign.report.html import payload_json

    text = payload_json({"why": "</script><script>alert(1)</script>"})
    assert "</script" not in text
    assert json.loads(text)["why"] == "</script><script>alert(1)</script>"


def test_report_of_a_run_in_progress_says_so(tmp_path, cli):
    path = tmp_path / "run"
    make_run(path, trials=8, budget_trials=40)
    with Session(path):  # a live holder: the run is "running"
        code, text, err = cli("report", str(path), "--out", str(tmp_path / "r.html"), "--detail", "1")
        status_code, status_text, _ = cli("status", str(path))
    assert code == 0, err
    assert "still in progress" in text
    payload = json.loads(re.search(r'application/json">(.*?)</script>', (tmp_path / "r.html").read_text(), re.S).group(1))
    assert payload["in_progress"] and payload["status"]["state"] == "running"
    assert status_code == 0 and re.search(r"time_left_s: \S", status_text)


@pytest.mark.parametrize("argv, needles", [
    (("report", "{missing}"), ("run directory not found",)),
    (("report", "{nostudy}"), ("no study",)),
    (("report", "{empty}"), ("no finished trial",)),
    (("plot", "{run}", "--kind", "layers", "--trial", "999", "--out", "{tmp}/x.png"), ("--trial", "no trial 999")),
    (("plot", "{run}", "--kind", "front", "--objectives", "latency,accuracy", "--out", "{tmp}/x.png"),
     ("--objectives", "no objective 'accuracy'")),
    (("plot", "{run}", "--kind", "front", "--out", "{tmp}/x.pdf"), ("--out", ".png or .svg")),
    (("report", "{run}", "--detail", "many"), ("--detail",)),
])
def test_bad_input_is_one_line_and_exit_2(argv, needles, run_path, tmp_path, cli):
    from codesign.config.schema import parse_config

    nostudy = tmp_path / "nostudy"
    RunDir.create(nostudy, parse_config(synthetic_config()))
    empty = tmp_path / "empty"
    run = RunDir.create(empty, parse_config(synthetic_config()))
    run.study(directions=["maximize", "minimize", "minimize"])
    run.flush(sync=True)
    assert (empty / JOURNAL_FILE).is_file()
    values = {"missing": tmp_path / "nothing", "nostudy": nostudy, "empty": empty, "run": run_path, "tmp": tmp_path}
    code, _, err = cli(*(a.format(**values) for a in argv))
    _one_line_error(code, err, *needles)


def test_plot_of_a_failed_trial_is_refused(run_path, tmp_path, cli):
    from codesign.report.trials import load_run

    failed = next(r.number for r in load_run(run_path).records if r.state == "FAIL")
    code, _, err = cli("plot", str(run_path), "--kind", "roofline", "--trial", str(failed), "--out", str(tmp_path / "x.png"))
    _one_line_error(code, err, f"trial {failed} is fail")


def test_status_watch_follows_until_the_run_stops(run_path):
    from codesign.cli.report_cmd import watch_status

    printed, slept = [], []
    assert watch_status(RunDir.open(run_path), sleep=slept.append, out=printed.append) == 0
    assert len(printed) == 1 and not slept  # a finished run: one status, no waiting
    assert "state: complete" in printed[0]


def test_status_watch_refreshes_a_running_run(tmp_path):
    from codesign.cli.report_cmd import watch_status

    path = tmp_path / "run"
    make_run(path, trials=4, budget_trials=40)
    printed, slept = [], []
    with Session(path):
        watch_status(RunDir.open(path), interval_s=2.0, max_updates=3, sleep=slept.append, out=printed.append)
    assert len(printed) == 3 and slept == [2.0, 2.0]
    assert all("state: running" in p for p in printed)


def test_report_of_a_run_whose_trials_all_failed(tmp_path, cli):
    from tests.search.helpers import run_config

    path = tmp_path / "run"
    run_config(path, synthetic_config({"fail": {"hw.rows": [4, 8, 16]}}, budget={"trials": 4}))
    out = tmp_path / "r.html"
    code, text, err = cli("report", str(path), "--out", str(out))
    assert code == 0, err
    payload = json.loads(re.search(r'application/json">(.*?)</script>', out.read_text(), re.S).group(1))
    assert payload["front"] == [] and payload["details"] == {} and payload["importances"] == {}
    assert {t["c"] for t in payload["trials"]} == {"failed"}
    assert all("synthetic failure" in t["why"] for t in payload["trials"])
