"""The ``processes`` executor: worker processes that give the inline executor's search, results in
submission order, dead workers replaced and retried, timeouts, Ctrl-C, the reference sample
scored on the workers. No assertion on time: the slow and hung candidates are made so by the
synthetic evaluator or a fake clock."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import codesign.search.loop as loop
from codesign.config.schema import parse_config
from codesign.report.design import one_torch_thread
from codesign.search.executors import MAX_RETRIES, make_executor
from codesign.search.experiment import Experiment
from codesign.search.pipeline import Pipeline
from codesign.search.process_executor import ProcessExecutor
from codesign.search.strategies import NSGA2
from tests.conftest import tiny_config
from tests.search.helpers import run_config, synthetic_config
from tests.search.test_ray_executor import candidates

PROCESSES = {"name": "processes", "workers": 2}


def _trials(run_dir):
    return [(r.number, r.state, r.params, r.values, r.result.get("error"), r.result.get("repeat_of"))
            for r in run_dir.trials()]


@pytest.mark.parametrize("options", [{}, {"fail": {"hw.rows": [16]}}])
def test_two_workers_ask_and_tell_the_inline_search_trial_for_trial(tmp_path, options):
    """NSGA-II asks ahead only within a generation and results come back in submission order, so
    two workers (a batch of four in flight) give the one-at-a-time run's trials, repeats and
    failed trials included: the same parameters, values and states, trial by trial."""
    strategy = {"name": "nsga2", "options": {"population_size": 6}}
    runs = {}
    for name, executor in (("inline", {"name": "inline"}), ("processes", PROCESSES)):
        config = synthetic_config(options, budget={"trials": 40}, executor=executor, strategy=strategy)
        run_dir, summary = run_config(tmp_path / name, config)
        assert summary.finished == 40 and summary.reason == "budget"
        runs[name] = _trials(run_dir)
    assert runs["processes"] == runs["inline"]
    assert any(t[4] for t in runs["inline"]) == bool(options)  # the failing case has failed trials


def test_nsga2_asks_ahead_within_the_generation_only(tmp_path):
    """``askable``: the rest of the generation less the unfinished trials; a generation that is
    complete opens the next one only when nothing is unfinished."""
    config = synthetic_config(budget={"trials": 8}, strategy={"name": "nsga2", "options": {"population_size": 6}})
    run_dir, _ = run_config(tmp_path / "r", config)
    experiment = Experiment.from_config(run_dir.config())
    study = run_dir.study(directions=experiment.directions, sampler=experiment.sampler)
    strategy = experiment.strategy
    assert isinstance(strategy, NSGA2)
    # 8 complete trials: generation 0 full (6), generation 1 holds 2 of 6.
    assert strategy.askable(study, 0) == 4
    assert strategy.askable(study, 3) == 1
    assert strategy.askable(study, 4) == 0
    # Exactly one full generation complete: the next one is open, its unfinished trials counted.
    run_dir, _ = run_config(tmp_path / "full", {**config, "budget": {"trials": 6}})
    study = run_dir.study(directions=experiment.directions, sampler=experiment.sampler)
    assert strategy.askable(study, 0) == 6
    assert strategy.askable(study, 2) == 4


def _executor(options, workers=2, **kwargs):
    experiment = Experiment.build(parse_config(synthetic_config(options)))
    return experiment, ProcessExecutor(experiment.pipeline_spec, workers=workers, **kwargs)


def test_results_come_back_in_submission_order(tmp_path):
    """The first candidate is held (the synthetic ``hang``) while the others finish on the other
    worker; it is still returned first, and every outcome equals the inline executor's."""
    experiment, executor = _executor({"hang": {"hw.rows": [16]}, "hang_s": 0.5})
    pool = candidates(experiment, 40)
    slow = next(c for c in pool if c.part("hw").rows == 16)
    batch = [slow] + [c for c in pool if c.part("hw").rows != 16][:5]
    try:
        for i, candidate in enumerate(batch):
            executor.submit(i, candidate)
        results = [executor.next_result() for _ in batch]
    finally:
        executor.close()
    assert [key for key, _ in results] == list(range(len(batch)))
    inline = make_executor("inline", experiment.pipeline_spec, 1, None, None)
    for (key, outcome), (_, expected) in zip(results, inline.run(batch), strict=True):
        assert not outcome.error and {n: outcome.metrics.value(n) for n in outcome.metrics.names()} == \
            {n: expected.metrics.value(n) for n in expected.metrics.names()}, key
    assert len({o.metrics.extras["worker_pid"] for _, o in results}) == 2  # both workers evaluated


def test_a_worker_that_dies_once_is_replaced_and_its_candidate_retried(tmp_path):
    marker = tmp_path / "crashed"
    run_dir, summary = run_config(tmp_path / "r", synthetic_config({"crash_once": str(marker)}, executor=PROCESSES,
                                                                     budget={"trials": 10}))
    assert marker.exists()  # a worker process really exited
    assert summary.finished == 10 and summary.failed == 0
    assert all(r.state == "COMPLETE" for r in run_dir.trials())


def test_a_worker_that_dies_every_time_fails_its_trial_and_the_search_goes_on(tmp_path):
    run_dir, summary = run_config(tmp_path / "r", synthetic_config({"crash": {"hw.rows": [16]}}, executor=PROCESSES,
                                                                     budget={"trials": 8}))
    records = run_dir.trials()
    crashed = [r for r in records if r.params["hw.rows"] == 16]
    assert crashed and summary.finished == 8 and summary.failed == len(crashed)
    assert all(r.state == "FAIL" and r.result["error"] == f"worker died {MAX_RETRIES + 1} times: exit status 1"
               for r in crashed)
    assert all(r.state == "COMPLETE" for r in records if r.params["hw.rows"] != 16)


def test_a_worker_killed_from_outside_is_replaced(tmp_path):
    """SIGKILL (the OOM killer) on a busy worker: its candidate is retried on a replacement."""
    experiment, executor = _executor({"hang": {"hw.rows": [16]}, "hang_s": 3600}, workers=1)
    pool = candidates(experiment, 40)
    hung = next(c for c in pool if c.part("hw").rows == 16)
    fine = next(c for c in pool if c.part("hw").rows != 16)
    try:
        victim = executor._workers[0].process.pid
        executor.submit(0, fine)
        executor.submit(1, hung)
        assert executor.next_result()[0] == 0
        executor._dispatch()
        assert executor._workers[0].task[0] == 1  # the hung candidate is on the worker
        os.kill(victim, signal.SIGKILL)
        executor._wait = _killing_wait(executor)
        key, outcome = executor.next_result()
    finally:
        executor.close()
    assert key == 1 and outcome.error == f"worker died {MAX_RETRIES + 1} times: killed by signal 9"


def _killing_wait(executor):
    """A wait that kills the (hung) worker each time it is given the candidate again."""
    real = executor._wait

    def wait(objects, timeout=None):
        worker = executor._workers[0]
        if worker.task is not None and worker.process.is_alive():
            os.kill(worker.process.pid, signal.SIGKILL)
        return real(objects, timeout)

    return wait


def test_a_trial_past_its_timeout_is_abandoned_with_its_worker():
    """A fake clock: the wait jumps past the deadline when the hung candidate is the only one
    left running, so the timeout path runs without racing a wall clock."""
    experiment, executor = _executor({"hang": {"hw.rows": [16]}, "hang_s": 3600}, trial_timeout=30.0)
    pool = candidates(experiment, 40)
    hung = next(c for c in pool if c.part("hw").rows == 16)
    fine = [c for c in pool if c.part("hw").rows != 16][:3]
    now = [0.0]
    executor._clock = lambda: now[0]
    real_wait = executor._wait
    timeouts = []

    def wait(objects, timeout=None):
        timeouts.append(timeout)
        running = [w.task for w in executor._workers if w.task is not None]
        if len(running) == 1 and running[0][1][2] is hung:
            now[0] += 31.0
            return []
        return real_wait(objects, None)

    executor._wait = wait
    try:
        hung_pid = None
        for i, candidate in enumerate([hung, *fine]):
            executor.submit(i, candidate)
            if i == 0:
                hung_pid = next(w.process.pid for w in executor._workers if w.task is not None)
        results = dict(executor.next_result() for _ in range(4))
        pids = {w.process.pid for w in executor._workers}
    finally:
        executor.close()
    assert results[0].error == "timeout: evaluation ran past 30 s"
    assert all(not results[i].error for i in (1, 2, 3))
    assert hung_pid not in pids and len(pids) == 2  # its worker was replaced
    assert 30.0 in timeouts  # the wait was bounded by the deadline


def test_ctrl_c_stops_the_run_as_interrupted_and_ends_the_workers(tmp_path, monkeypatch):
    """Ctrl-C reaches every process of the group: the workers ignore it (one is sent SIGINT and
    goes on evaluating), the driver's KeyboardInterrupt stops the run as interrupted, and the
    workers are gone afterwards."""
    made = []

    def make(*args, **kwargs):
        executor = make_executor(*args, **kwargs)
        made.append(executor)
        real_next, results = executor.next_result, []

        def next_result():
            if len(results) == 2:
                os.kill(executor._workers[0].process.pid, signal.SIGINT)
            if len(results) == 5:
                raise KeyboardInterrupt
            results.append(real_next())
            return results[-1]

        executor.next_result = next_result
        return executor

    monkeypatch.setattr(loop, "make_executor", make)
    processes = []
    real_close = ProcessExecutor.close

    def close(self):
        processes.extend(w.process for w in self._workers)
        assert all(p.is_alive() for p in processes)  # SIGINT did not end a worker
        real_close(self)

    monkeypatch.setattr(ProcessExecutor, "close", close)
    run_dir, summary = run_config(tmp_path / "r", synthetic_config(executor=PROCESSES, budget={"trials": 20}))
    assert summary.reason == "interrupted" and summary.detail == "Ctrl-C" and summary.finished == 5
    assert len(processes) == 2 and not any(p.is_alive() for p in processes)


def test_the_reference_sample_is_scored_on_the_workers_as_in_the_driver():
    """The combination's reference, scored on two workers: the same prepared spec as the driver's
    own preparation on one torch thread (scores gathered in the sample's order), and the workers
    then score with it as a pipeline built from that spec does."""
    config = parse_config(tiny_config(proxy={"name": "combo", "batch_size": 8, "options": {"reference_size": 4}}))
    experiment = Experiment.build(config)
    with one_torch_thread():
        expected = Pipeline(experiment.pipeline_spec).prepare()
    driver = Pipeline(experiment.pipeline_spec)
    batch = candidates(experiment, 2)
    executor = ProcessExecutor(experiment.pipeline_spec, workers=2)
    calls = []
    real_map = executor.map_stage
    executor.map_stage = lambda *args: calls.append(args[:2]) or real_map(*args)
    try:
        prepared = executor.prepare(driver)
        # Both workers (idle: one task each) hold the prepared options, not a sample to score again.
        held = real_map("proxy", "__getattribute__", ["options", "options"])
        outcomes = dict(executor.run(batch))
    finally:
        executor.close()
    assert prepared == expected and calls == [("proxy", "reference_scores")]
    assert held == [next(st.options for st in prepared.stages if st.name == "proxy")] * 2
    with one_torch_thread():
        inline = dict(make_executor("inline", expected, 1, None, None).run(batch))
    for i, outcome in outcomes.items():
        assert not outcome.error and outcome.metrics.value("proxy") == inline[i].metrics.value("proxy")


def test_a_result_that_cannot_be_sent_fails_its_trial_with_the_reason():
    """An outcome that does not pickle becomes the trial's failure, not a dead worker that the
    driver would retry three times and report as ``exit status 1``."""
    import multiprocessing

    from codesign.search.process_worker import EVALUATE, _send_answer

    class Unsendable:
        def evaluate(self, candidate):
            return self

        def without_artefacts(self):
            return lambda: None  # not picklable

    driver, worker = multiprocessing.Pipe()
    _send_answer(worker, Unsendable(), (EVALUATE, 7, None))
    key, outcome = driver.recv()
    assert key == 7 and outcome.error.startswith("its result could not be sent to the driver:")


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
                    reason="glibc's mallopt and /proc/self/statm")
def test_a_worker_keeps_the_memory_it_frees_for_reuse():
    """A 64 MB block freed in a worker stays mapped for the next one (glibc would unmap it)."""
    script = (
        "import torch\n"
        "from codesign.search.process_worker import _keep_freed_memory\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * 4096\n"
        "import sys\n"
        "if sys.argv[1] == 'keep':\n"
        "    _keep_freed_memory()\n"
        "block = torch.ones(16 * 2 ** 20)\n"  # 64 MB, touched
        "held = rss()\n"
        "del block\n"
        "print(held - rss())\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("MALLOC_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    returned = {}
    for mode in ("keep", "default"):
        out = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, check=True,
                             timeout=120, env=env)
        returned[mode] = int(out.stdout.split()[-1])
    assert returned["default"] > 32 * 2 ** 20  # glibc's own policy: the block goes back at once
    assert returned["keep"] < 2 ** 20
