"""The HTML report in a real browser: headless Chromium loads it offline, runs its scripts
without an error and draws every plot, including a front design's per-layer charts."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.report.browser import CHROMIUM, open_page

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")

DETAIL_PLOTS = {"layers-latency", "layers-energy", "layers-utilization", "energy-split", "roofline", "area"}


class _Plots(HTMLParser):
    """``data-plot`` divs, whether Plotly marked them rendered, and the drawing elements inside."""

    def __init__(self) -> None:
        super().__init__()
        self.plots: dict[str, dict[str, int | bool]] = {}
        self._stack: list[str | None] = []
        self.errors_text = ""
        self._in_errors = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("data-plot")
        if name:
            self.plots[name] = {"rendered": a.get("data-rendered") == "1", "drawn": 0}
        if tag not in ("br", "img", "input", "meta", "link", "path", "rect", "line", "circle", "image", "use"):
            self._stack.append(name)
        current = next((n for n in reversed(self._stack) if n), None)
        if current and (tag in ("path", "rect", "canvas") or "trace" in a.get("class", "")):
            self.plots[current]["drawn"] += 1
        self._in_errors = a.get("id") == "js-errors"

    def handle_endtag(self, tag):
        if tag not in ("br", "img", "input", "meta", "link", "path", "rect", "line", "circle", "image", "use") and self._stack:
            self._stack.pop()
        self._in_errors = False

    def handle_data(self, data):
        if self._in_errors:
            self.errors_text += data


def _check_page(page, expected: set[str]) -> _Plots:
    parsed = _Plots()
    parsed.feed(page.dom)
    assert parsed.errors_text.strip() == "", parsed.errors_text
    uncaught = [line for line in page.console if "Uncaught" in line or "Error" in line]
    assert not uncaught, uncaught
    assert expected <= set(parsed.plots), expected - set(parsed.plots)
    for name, state in parsed.plots.items():
        assert state["rendered"], f"plot {name} not rendered"
        assert state["drawn"] > 0, f"plot {name} has no drawing elements"
    assert page.screenshot.is_file() and page.screenshot.stat().st_size > 10_000
    return parsed


def test_run_report_renders_every_plot_in_chromium(run_path, tmp_path, cli):
    out = tmp_path / "report.html"
    code, _, err = cli("report", str(run_path), "--out", str(out), "--detail", "3")
    assert code == 0, err
    page = open_page(out, tmp_path)
    expected = {"pareto-proxy-latency", "pareto-proxy-energy", "pareto-latency-energy", "pareto-3d", "convergence",
                "parcoords", "importances"} | DETAIL_PLOTS
    _check_page(page, expected)
    assert re.search(r'id="front-table"', page.dom)
    assert "Showing trial" in page.dom  # a front design was selected and drawn


def test_a_link_to_a_non_front_trial_says_how_to_see_it(run_path, tmp_path, cli):
    from codesign.report.trials import load_run

    view = load_run(run_path)
    dominated = next(r.number for r in view.records if view.trial_class(r) == "dominated")
    out = tmp_path / "report.html"
    assert cli("report", str(run_path), "--out", str(out), "--detail", "1")[0] == 0
    page = open_page(out, tmp_path, fragment=f"trial={dominated}")
    assert f"Trial {dominated} (dominated) has no per-layer detail here" in page.dom
    assert f"--trial {dominated}" in page.dom


def test_bundle_report_renders_the_design_in_chromium(run_path, tmp_path, cli):
    from codesign.report.trials import load_run

    trial = load_run(run_path).front.trials[0].number
    bundle = tmp_path / "bundle"
    assert cli("export", str(run_path), "--trial", str(trial), "--out", str(bundle), "--no-onnx")[0] == 0
    code, out_text, err = cli("report", str(bundle))
    assert code == 0, err
    page = open_page(bundle / "design.html", tmp_path)
    _check_page(page, DETAIL_PLOTS)
