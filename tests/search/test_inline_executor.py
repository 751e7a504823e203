"""The in-process executor: per-trial timeout through SIGALRM, errors as failed trials."""
from __future__ import annotations

import threading

import pytest

from tests.search.helpers import run_config, synthetic_config


def test_a_trial_past_its_timeout_fails_and_the_search_goes_on(tmp_path):
    config = synthetic_config({"hang": {"hw.rows": [16]}, "hang_s": 60}, budget={"trials": 10},
                              executor={"name": "inline", "trial_timeout": 0.2})
    run_dir, summary = run_config(tmp_path / "r", config)
    records = run_dir.trials()
    hung = [r for r in records if r.params["hw.rows"] == 16]
    assert hung and summary.finished == 10 and summary.failed == len(hung)
    assert all(r.result["error"] == "timeout: evaluation ran past 0.2 s" for r in hung)
    assert all(r.state == "COMPLETE" for r in records if r.params["hw.rows"] != 16)


def test_timeout_outside_the_main_thread_warns_and_runs_unlimited(tmp_path):
    config = synthetic_config(budget={"trials": 2}, executor={"name": "inline", "trial_timeout": 5})
    caught = []

    def target():
        with pytest.warns(UserWarning, match="trial_timeout needs the main thread") as record:
            caught.append(run_config(tmp_path / "r", config)[1])
        caught.append(record)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    assert caught and caught[0].finished == 2
