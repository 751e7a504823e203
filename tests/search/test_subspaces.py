"""Every registered sub-space through the same suite (as timm tests every model): it samples
inside its dimensions, its part round-trips through a stored trial, and an exported trial
re-scores to its stored metrics. A new sub-space is tested by registering it."""
from __future__ import annotations

import optuna
import pytest

from codesign.config.schema import parse_config
from codesign.report.export import export_trial, load_bundle, reproduces
from codesign.search.experiment import Experiment
from codesign.search.stages.base import STAGES
from codesign.search.stages.sets import STAGE_SETS
from codesign.search.subspaces.base import SUBSPACES
from tests.search.helpers import run_config, synthetic_config

NAMES = SUBSPACES.names()


def _synthetic_provides() -> set[str]:
    provided: set[str] = set()
    for stage in STAGE_SETS.get("synthetic").stages:
        cls = STAGES.get(stage)
        provided |= set(cls.provides) | {m.name for m in cls.produces}
    return provided


def config_with(name: str) -> dict:
    """The tiny experiment with sub-space ``name`` active (random strategy): synthetic scores,
    unless the sub-space's stages need what only the model stage set provides (a workload)."""
    cls = SUBSPACES.get(name)
    config = synthetic_config(budget={"trials": 4}, strategy={"name": "random"})
    needs = {need for stage in cls.stages for need in STAGES.get(stage).needs}
    if not needs <= _synthetic_provides():
        del config["evaluator"]
    if cls.section is not None and cls.section not in config:
        config[cls.section] = cls.example or {}
    elif cls.section is None and not cls.always:
        config["subspaces"] = {name: cls.example or {}}
    return config


def test_arch_and_hw_are_registered_and_always_active():
    assert {"arch", "hw"} <= set(NAMES)
    experiment = Experiment.build(parse_config(synthetic_config()))
    assert list(experiment.subspaces)[:2] == ["arch", "hw"]


@pytest.mark.parametrize("name", NAMES)
def test_samples_inside_its_dimensions(name):
    experiment = Experiment.build(parse_config(config_with(name)))
    sub = experiment.subspaces[name]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(5):
        trial = study.ask()
        part = experiment.candidate(trial).part(name)
        values = sub.values_of(trial.params)
        assert set(values) <= {d.name for d in sub.dimensions()}
        assert sub.to_dict(sub.from_params(values)) == sub.to_dict(part)
        assert sub.to_dict(sub.from_dict(sub.to_dict(part))) == sub.to_dict(part)
        assert isinstance(sub.describe(part), str) and sub.describe(part)
        study.tell(trial, 0.0)


@pytest.mark.parametrize("name", NAMES)
def test_part_round_trips_through_the_stored_trial_and_the_export(tmp_path, name):
    run, summary = run_config(tmp_path / "run", config_with(name))
    assert summary.finished == 4
    experiment = Experiment.build(run.config())
    sub = experiment.subspaces[name]
    complete = [r for r in run.trials() if r.state == "COMPLETE"]
    assert complete
    for r in complete:
        stored = r.part_data(name)
        assert stored == sub.to_dict(experiment.candidate_from_params(r.params).part(name))
        assert sub.to_dict(experiment.candidate_of(r).part(name)) == stored
    export_trial(run, complete[0].number, tmp_path / "bundle", onnx=False)
    pipeline, candidate, metrics = load_bundle(tmp_path / "bundle")
    assert sub.to_dict(candidate.part(name)) == complete[0].part_data(name)
    assert reproduces(pipeline.evaluate(candidate), metrics)
