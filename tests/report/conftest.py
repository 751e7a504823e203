"""A small finished run for the report tests: the tiny MBConv space scored by the ``synthetic``
evaluator, with some designs unmappable (dataflow ``is``), some failing (16 rows) and a tight area
budget, so every trial class appears."""
from __future__ import annotations

import pytest

from tests.search.helpers import run_config, synthetic_config

#: Synthetic-evaluator faults that give infeasible and failed trials.
FAULTS = {"unmappable": {"hw.dataflow": ["is"]}, "fail": {"hw.rows": [16]}}


def make_run(path, trials: int = 30, **overrides):
    """A finished synthetic run of ``trials`` trials in ``path``; returns its ``RunDir``."""
    overrides.setdefault("constraints", {"area": "<= 0.4 mm2"})
    run_dir, _ = run_config(path, synthetic_config(FAULTS, budget={"trials": trials}, **overrides))
    return run_dir


@pytest.fixture(scope="session")
def run_path(tmp_path_factory):
    """The path of a finished 30-trial run (shared: tests only read it)."""
    path = tmp_path_factory.mktemp("report") / "run"
    make_run(path)
    return path
