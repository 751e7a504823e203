"""The in-process executor: per-trial timeout through SIGALRM, errors as failed trials."""
from __future__ import annotations

import threading

import pytest

from tests.search.helpers import run_config, synthetic_config


def test_a_trial_past_its_timeout_fails_and_the_search_goes_on(tmp_path, monkeypatch):
    """The timer is armed with the configured limit around each evaluation; a "hung" candidate
    makes it expire at once (no wall-clock race): it fails with the reason, the others complete."""
    import signal
    import time
    import types

    import codesign.search.stages.synthetic as synthetic
    from codesign.search import executors

    armed = []
    real_setitimer = executors.signal.setitimer

    def setitimer(which, seconds, *args):
        armed.append(seconds)
        return real_setitimer(which, 0)  # the test expires the timer itself

    def hang(seconds):  # the synthetic hang: the deadline passes now
        signal.raise_signal(signal.SIGALRM)
        raise AssertionError("the expired deadline did not interrupt the evaluation")

    monkeypatch.setattr(executors.signal, "setitimer", setitimer)
    monkeypatch.setattr(synthetic, "time", types.SimpleNamespace(
        sleep=hang, perf_counter=time.perf_counter, time=time.time, monotonic=time.monotonic))
    config = synthetic_config({"hang": {"hw.rows": [16]}, "hang_s": 60}, budget={"trials": 10},
                              executor={"name": "inline", "trial_timeout": 0.2})
    run_dir, summary = run_config(tmp_path / "r", config)
    records = run_dir.trials()
    hung = [r for r in records if r.params["hw.rows"] == 16]
    assert hung and summary.finished == 10 and summary.failed == len(hung)
    assert all(r.result["error"] == "timeout: evaluation ran past 0.2 s" for r in hung)
    assert all(r.state == "COMPLETE" for r in records if r.params["hw.rows"] != 16)
    # Armed with the limit before every evaluation, disarmed after it.
    assert armed == [0.2, 0] * 10


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
