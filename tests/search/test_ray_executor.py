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
    return Experiment.from_config(parse_config(tiny_config()))


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
    batch.append(batch[0])  # a repeated architecture is served from an actor's cache
    inline = dict(InlineExecutor(experiment.pipeline_spec).run(batch))
    executor = RayExecutor(experiment.pipeline_spec, workers=2)
    try:
        ray_results = dict(executor.run(batch))
        assert set(ray_results) == set(range(len(batch)))
        for i, outcome in ray_results.items():
            assert outcome.metrics == inline[i].metrics
            assert outcome.cost is None  # the per-layer cost stays on the worker
        assert any(o.cache_hit for o in ray_results.values())

        # Kill one actor: its next candidate is retried on a replacement and the batch completes.
        ray_cluster.kill(executor._actors[0])
        again = dict(executor.run(batch[:4]))
        assert set(again) == {0, 1, 2, 3}
        assert all(not o.error for o in again.values())
    finally:
        executor.close()
    assert ray_cluster.is_initialized()  # joined, not owned: left running


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


def test_batches_keep_both_workers_busy(ray_cluster, tmp_path):
    run_dir, summary = ray_search(tmp_path / "r", {"sleep_s": 0.3}, budget={"trials": 8})
    metrics = [r.metrics for r in run_dir.trials()]
    assert len({m["worker_pid"] for m in metrics}) == 2
    # Evaluations overlap in time: while one worker evaluates, so does the other.
    spans = sorted((m["started_at"], m["ended_at"]) for m in metrics)
    overlapping = sum(b_start < a_end for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))
    assert overlapping >= 3


def test_a_trial_past_its_timeout_fails_and_the_search_goes_on(ray_cluster, tmp_path):
    run_dir, summary = ray_search(tmp_path / "r", {"hang": {"hw.rows": [16]}, "hang_s": 60},
                                  executor={"trial_timeout": 1.0}, budget={"trials": 8})
    records = run_dir.trials()
    hung = [r for r in records if r.params["hw.rows"] == 16]
    assert hung and summary.finished == 8
    assert all(r.state == "FAIL" and r.result["error"] == "timeout: evaluation ran past 1 s" for r in hung)
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
