"""A small finished run for the report tests: the tiny MBConv space scored by the ``synthetic``
evaluator, with some designs unmappable (dataflow ``is``), some failing (16 rows) and a tight area
budget, so every trial class appears."""
from __future__ import annotations

import pytest
import yaml

from tests.search.helpers import run_config, synthetic_config

#: Synthetic-evaluator faults that give infeasible and failed trials.
FAULTS = {"unmappable": {"hw.dataflow": ["is"]}, "fail": {"hw.rows": [16]}}


def make_run(path, trials: int = 30, budget_trials: int | None = None, **overrides):
    """A synthetic run of ``trials`` trials in ``path``; returns its ``RunDir``. With
    ``budget_trials`` its config then asks for that many, as a run stopped part-way."""
    overrides.setdefault("constraints", {"area": "<= 0.4 mm2"})
    run_dir, _ = run_config(path, synthetic_config(FAULTS, budget={"trials": trials}, **overrides))
    if budget_trials is not None:
        config = yaml.safe_load(run_dir.config_path.read_text())
        config["budget"]["trials"] = budget_trials
        run_dir.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return run_dir


@pytest.fixture(scope="session")
def run_path(tmp_path_factory):
    """The path of a finished 30-trial run (shared: tests only read it)."""
    path = tmp_path_factory.mktemp("report") / "run"
    make_run(path)
    return path
