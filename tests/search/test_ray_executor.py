"""The Ray executor: a local Ray started on demand (or joined at an address), actors with an
architecture cache, batches that keep every worker busy, dead workers retried, timeouts."""
from __future__ import annotations

import pytest

from codesign.config.schema import parse_config
from codesign.search.executors import InlineExecutor, RayExecutor, make_executor
from codesign.search.experiment import Experiment
from tests.conftest import tiny_config
from tests.search.helpers import run_config, synthetic_config


@pytest.fixture(scope="module")
def ray_cluster():
    """One local Ray for the module (starting Ray costs seconds); executors join it."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def experiment():
    return Experiment.build(parse_config(tiny_config()))


def candidates(experiment, n):
    import optuna

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=5))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append(experiment.candidate(trial))
    return out


def test_ray_matches_inline_and_retries_dead_workers(ray_cluster, experiment):
    batch = candidates(experiment, 6)
    batch.append(batch[0])  # a repeated architecture (served from a cache where its actor has it)
    inline = dict(InlineExecutor(experiment.pipeline_spec).run(batch))
    executor = RayExecutor(experiment.pipeline_spec, workers=2)
    try:
        ray_results = dict(executor.run(batch))
        assert set(ray_results) == set(range(len(batch)))
        for i, outcome in ray_results.items():
            assert outcome.metrics == inline[i].metrics
            assert outcome.cost is None  # the per-layer cost stays on the worker

        # Kill one actor: its next candidate is retried on a replacement and the batch completes.
        ray_cluster.kill(executor._actors[0])
        again = dict(executor.run(batch[:4]))
        assert set(again) == {0, 1, 2, 3}
        assert all(not o.error for o in again.values())
    finally:
        executor.close()
    assert ray_cluster.is_initialized()  # joined, not owned: left running


def test_a_repeated_architecture_is_served_from_the_actors_cache(ray_cluster, experiment):
    """One actor, so the repeat meets the cache whatever the scheduling (with two, the repeat
    may go to the actor that has not seen it)."""
    candidate = candidates(experiment, 1)[0]
    executor = RayExecutor(experiment.pipeline_spec, workers=1)
    try:
        first, second = (outcome for _, outcome in sorted(executor.run([candidate, candidate]), key=lambda r: r[0]))
    finally:
        executor.close()
    assert not first.cache_hit and second.cache_hit and second.metrics == first.metrics


def ray_search(path, options, **overrides):
    executor = {"name": "ray", "workers": 2, **overrides.pop("executor", {})}
    return run_config(path, synthetic_config(options, executor=executor, **overrides))


def test_a_worker_that_dies_mid_search_is_replaced_and_the_search_goes_on(ray_cluster, tmp_path):
    marker = tmp_path / "crashed"
    run_dir, summary = ray_search(tmp_path / "r", {"crash_once": str(marker), "sleep_s": 0.05},
                                  budget={"trials": 10})
    assert marker.exists()  # one worker process really exited
    assert summary.finished == 10 and summary.failed == 0
    assert all(r.state == "COMPLETE" for r in run_dir.trials())


def _synthetic_experiment(options):
    return Experiment.build(parse_config(synthetic_config(options)))


def test_batches_keep_both_workers_busy(ray_cluster):
    """Submitting a batch gives every idle worker a candidate at once; results come from both."""
    experiment = _synthetic_experiment({})
    batch = candidates(experiment, 6)
    executor = RayExecutor(experiment.pipeline_spec, workers=2)
    try:
        for i, candidate in enumerate(batch):
            executor.submit(i, candidate)
            if i == 1:
                assert sorted(slot for _, _, slot, _ in executor._running.values()) == [0, 1]
        assert len(executor._running) == 2 and len(executor._pending) == 4
        results = [executor.next_result() for _ in batch]
    finally:
        executor.close()
    assert sorted(k for k, _ in results) == list(range(6))
    assert len({o.metrics.extras["worker_pid"] for _, o in results}) == 2


class _ExpiringRay:
    """Ray, except that a ``wait`` with a timeout expires at once when the oldest running
    candidate is a hung one (rows 16): the timeout path without racing a wall clock."""

    def __init__(self, ray, executor):
        self._ray, self._executor, self.timeouts = ray, executor, []

    def __getattr__(self, name):
        return getattr(self._ray, name)

    def wait(self, refs, num_returns=1, timeout=None):
        self.timeouts.append(timeout)
        running = self._executor._running
        oldest = min(running.values(), key=lambda v: v[3]) if running else None
        if timeout is not None and oldest is not None and oldest[1].part("hw").rows == 16:
            return [], refs
        return self._ray.wait(refs, num_returns=num_returns)


def test_a_trial_past_its_timeout_is_abandoned_with_its_actor(ray_cluster):
    experiment = _synthetic_experiment({"hang": {"hw.rows": [16]}, "hang_s": 3600})
    pool = candidates(experiment, 40)
    hung = next(c for c in pool if c.part("hw").rows == 16)
    fine = [c for c in pool if c.part("hw").rows != 16][:3]
    executor = RayExecutor(experiment.pipeline_spec, workers=2, trial_timeout=1.0)
    fake = _ExpiringRay(executor._ray, executor)
    executor._ray = fake
    try:
        for i, candidate in enumerate([hung, *fine]):
            executor.submit(i, candidate)
        results = dict(executor.next_result() for _ in range(4))
    finally:
        executor._ray = fake._ray
        executor.close()
    assert results[0].error == "timeout: evaluation ran past 1 s"
    assert all(not results[i].error for i in (1, 2, 3))
    assert all(t is None or 0 <= t <= 1.0 for t in fake.timeouts) and 1.0 in [round(t or 0, 1) for t in fake.timeouts]


def test_a_worker_that_dies_every_time_fails_its_trial_and_the_search_goes_on(ray_cluster, tmp_path):
    from codesign.search.executors import MAX_RETRIES

    run_dir, summary = ray_search(tmp_path / "r", {"crash": {"hw.rows": [16]}}, budget={"trials": 8})
    records = run_dir.trials()
    crashed = [r for r in records if r.params["hw.rows"] == 16]
    assert crashed and summary.finished == 8 and summary.failed == len(crashed)
    assert all(r.state == "FAIL" and r.result["error"].startswith(f"worker died {MAX_RETRIES + 1} times")
               for r in crashed)
    assert all(r.state == "COMPLETE" for r in records if r.params["hw.rows"] != 16)


class _Joined(Exception):
    pass


def test_ray_address_joins_an_existing_cluster(monkeypatch, experiment):
    import ray

    seen = {}

    def fake_init(**kwargs):
        seen.update(kwargs)
        raise _Joined

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", fake_init)
    with pytest.raises(_Joined):
        make_executor("ray", experiment.pipeline_spec, 2, "10.0.0.5:6379", None)
    assert seen["address"] == "10.0.0.5:6379" and "num_cpus" not in seen
    with pytest.raises(_Joined):
        make_executor("ray", experiment.pipeline_spec, 3, None, None)
    assert "address" not in seen or seen.get("num_cpus") == 3


def test_ray_address_from_the_command_line_overrides_the_config(monkeypatch, tmp_path):
    import codesign.search.loop as loop

    seen = []

    def fake_make_executor(name, spec, workers, address, timeout, pipeline=None):
        seen.append((name, address))
        raise _Joined

    monkeypatch.setattr(loop, "make_executor", fake_make_executor)
    config = synthetic_config(executor={"name": "ray", "workers": 2, "address": "config-host:6379"})
    with pytest.raises(_Joined):
        run_config(tmp_path / "a", config)
    with pytest.raises(_Joined):
        run_config(tmp_path / "b", config, ray_address="cli-host:6379")
    assert seen == [("ray", "config-host:6379"), ("ray", "cli-host:6379")]


class _SilentRay:
    """Ray, except that the first ``silent`` waits return nothing (a cluster that does not
    answer) and, with ``error``, every result is that error (a worker lost)."""

    def __init__(self, ray, silent: int, error: Exception | None = None):
        self._ray, self.silent, self.error, self.timeouts = ray, silent, error, []

    def __getattr__(self, name):
        return getattr(self._ray, name)

    def wait(self, refs, num_returns=1, timeout=None):
        self.timeouts.append(timeout)
        if len(self.timeouts) <= self.silent:
            return [], refs
        return self._ray.wait(refs, num_returns=num_returns, timeout=timeout)

    def get(self, refs, **kwargs):
        if self.error is not None:
            raise self.error
        return self._ray.get(refs, **kwargs)


def _closed_address() -> str:
    """A local port nobody listens on (just bound and released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def test_a_cluster_that_is_gone_ends_the_wait_with_executor_lost(ray_cluster):
    """No wait blocks past ``PROBE_INTERVAL_S``; a wait that returned nothing, or a lost worker,
    probes the GCS: while it answers the wait goes on (and the result comes), once it does not,
    ``ExecutorLost``. (One executor through the three cases: an actor costs seconds to start.)"""
    from codesign.search.executors import PROBE_INTERVAL_S, ExecutorLost

    experiment = _synthetic_experiment({})
    first, second = candidates(experiment, 2)
    executor = RayExecutor(experiment.pipeline_spec, workers=1)
    real = executor._ray
    fakes = []
    try:
        # 1. Three waits without an answer from a cluster that is there: the result still comes.
        executor._ray = fake = _SilentRay(real, silent=3)
        fakes.append(fake)
        executor.submit(0, first)
        key, outcome = executor.next_result()
        assert key == 0 and not outcome.error and len(fake.timeouts) > 3

        # 2. The cluster's GCS gone: the first wait without an answer ends it.
        executor._gcs_address = _closed_address()
        executor._ray = fake = _SilentRay(real, silent=1)
        fakes.append(fake)
        executor.submit(1, second)
        with pytest.raises(ExecutorLost, match="the Ray cluster at .* went away"):
            executor.next_result()
        assert len(fake.timeouts) == 1

        # 3. A worker lost (its result an error) with the GCS gone: not retried, the end.
        executor._ray = fake = _SilentRay(real, silent=0, error=real.exceptions.RaySystemError("connection lost"))
        fakes.append(fake)
        with pytest.raises(ExecutorLost, match="RaySystemError from a worker"):
            executor.next_result()
        assert executor._pending == [] and len(executor._starting) == 0  # nothing re-submitted
    finally:
        executor._ray = real
        for actor in executor._actors:  # close() leaves a lost cluster's actors alone: this one is not
            real.kill(actor)
        executor.close()
    assert all(t is not None and t <= PROBE_INTERVAL_S for fake in fakes for t in fake.timeouts)


def test_the_prepared_spec_reaches_the_actors(ray_cluster):
    """Actors start from the unprepared spec; ``prepare`` scores the combination's reference on
    the driver and ``use_spec`` hands it to them (without it each would score the sample again)."""
    from codesign.search.pipeline import Pipeline

    config = parse_config(tiny_config(proxy={"name": "combo", "batch_size": 8, "options": {"reference_size": 4}}))
    experiment = Experiment.build(config)
    executor = RayExecutor(experiment.pipeline_spec, workers=2)
    try:
        prepared = executor.prepare(Pipeline(experiment.pipeline_spec))
        outcomes = dict(executor.run(candidates(experiment, 2)))
        held = ray_cluster.get([a.__ray_call__.remote(lambda actor: actor.evaluator.spec) for a in executor._actors])
    finally:
        executor.close()
    assert prepared != experiment.pipeline_spec and held == [prepared, prepared]
    assert all(not o.error and o.metrics.value("proxy") is not None for o in outcomes.values())
