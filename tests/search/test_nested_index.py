"""The nested sampler reads the study's trials a fixed number of times per trial, however many
architecture parameters it copies from a round's head (it used to rescan them per parameter)."""
from __future__ import annotations

import pytest

from codesign.search import nested
from tests.search.helpers import run_config, synthetic_config


@pytest.mark.parametrize("shared", [True, False])
def test_trials_are_read_once_per_ask_and_once_per_tell(tmp_path, monkeypatch, shared):
    reads = []
    original = nested.internals.all_trials
    monkeypatch.setattr(nested.internals, "all_trials", lambda study: reads.append(1) or original(study))
    strategy = {"name": "nested", "options": {"inner_trials": 4, "shared_inner": shared}}
    run_dir, summary = run_config(tmp_path / "n", synthetic_config(strategy=strategy, budget={"trials": 24}))
    records = run_dir.trials()
    assert summary.finished == 24
    assert len([k for k in records[0].params if k.startswith("arch.")]) > 2  # more parameters than reads
    # One read when the trial is asked (views, round index, head parameters), one when it is told;
    # plus one to find the last round when the sampler starts.
    assert len(reads) <= 2 * summary.finished + 1
