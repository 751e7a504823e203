"""Time left of a run (progress bar and ``codesign status``) and its display."""
from __future__ import annotations

import pytest

from codesign.report.status import format_duration, time_left_s


def test_time_left_from_the_trial_rate():
    assert time_left_s(100, None, finished=40, rate_per_s=2.0, elapsed_s=20.0) == pytest.approx(30.0)


def test_time_left_is_the_sooner_of_time_and_trial_budgets():
    assert time_left_s(100, 25.0, finished=40, rate_per_s=2.0, elapsed_s=20.0) == pytest.approx(5.0)
    assert time_left_s(None, 25.0, finished=40, rate_per_s=None, elapsed_s=30.0) == 0.0


def test_time_left_unknown_without_budget_or_rate():
    assert time_left_s(100, None, finished=0, rate_per_s=None, elapsed_s=0.0) is None
    assert time_left_s(None, None, finished=5, rate_per_s=1.0, elapsed_s=5.0) is None


@pytest.mark.parametrize("seconds, text", [(None, "-"), (42.4, "42s"), (185, "3m05s"), (3725, "1h02m")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_search_names_its_objectives_on_the_study(run_path):
    from codesign.report.trials import load_run

    view = load_run(run_path)
    assert view.run_dir.study().metric_names == [o.metric.name for o in view.objectives]
