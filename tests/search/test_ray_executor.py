"""The Ray executor: a local Ray started on demand, two actors, results identical to inline."""
import pytest

from codesign.config.schema import parse_config
from codesign.search.evaluator import Candidate
from codesign.search.executors import InlineExecutor, RayExecutor
from codesign.search.experiment import Experiment
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def experiment():
    return Experiment.from_config(parse_config(tiny_config()))


def candidates(experiment, n):
    import optuna

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=5))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append(Candidate(experiment.space.sample(trial), experiment.hardware.sample(trial)))
    return out


def test_ray_matches_inline_and_retries_dead_workers(experiment):
    batch = candidates(experiment, 6)
    batch.append(batch[0])  # a repeated architecture is served from an actor's cache
    inline = dict(InlineExecutor(experiment.evaluator_spec).run(batch))
    executor = RayExecutor(experiment.evaluator_spec, workers=2)
    try:
        ray_results = dict(executor.run(batch))
        assert set(ray_results) == set(range(len(batch)))
        for i, outcome in ray_results.items():
            assert outcome.metrics == inline[i].metrics
            assert outcome.cost is None  # the per-layer cost stays on the worker
        assert any(o.cache_hit for o in ray_results.values())

        # Kill one actor: its next candidate is retried on a replacement and the batch completes.
        import ray

        ray.kill(executor._actors[0])
        again = dict(executor.run(batch[:4]))
        assert set(again) == {0, 1, 2, 3}
        assert all(not o.error for o in again.values())
    finally:
        executor.close()
