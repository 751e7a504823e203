"""Every registered stage and stage set through the same checks, the typed metrics and derived
ones, and the model built once per architecture with the proxy scores of a rebuild."""
from __future__ import annotations

import math

import pytest

from codesign.config.schema import parse_config
from codesign.proxies.base import PROXIES, ProxyContext
from codesign.proxies.data import proxy_batch
from codesign.search.candidate import Candidate
from codesign.search.derived import DERIVED, add_derived
from codesign.search.design import model_pipeline
from codesign.search.experiment import Experiment
from codesign.search.metrics import DIRECTIONS, ENERGY, LATENCY, Metrics
from codesign.search.stages.base import STAGES
from codesign.search.stages.sets import STAGE_SETS
from codesign.search.subspaces.base import SUBSPACES
from tests.conftest import TINY_SPACE, tiny_config

ARCH = "res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32"


@pytest.mark.parametrize("name", STAGES.names())
def test_stage_declares_typed_metrics_and_known_parts(name):
    cls = STAGES.get(name)
    assert cls.produces or cls.provides, f"{name} produces nothing"
    for m in cls.produces:
        assert m.direction in DIRECTIONS and m.meaning and "\n" not in m.meaning
        assert m.display_unit in m.units and m.key
    assert set(cls.needs_parts) <= set(SUBSPACES.names())
    assert cls.cache_by is None or cls.cache_by in cls.needs_parts


def test_a_metric_name_means_one_thing_across_stages():
    seen = {}
    for _, cls in STAGES:
        for m in cls.produces:
            assert seen.setdefault(m.name, m) == m, m.name


@pytest.mark.parametrize("name", STAGE_SETS.names())
def test_stage_sets_name_registered_stages(name):
    stage_set = STAGE_SETS.get(name)
    assert stage_set.stages and all(s in STAGES for s in stage_set.stages)
    assert stage_set.options_stage is None or stage_set.options_stage in stage_set.stages


def test_derived_metrics_are_computed_once_from_their_inputs():
    metrics = Metrics({ENERGY: 2e-3, LATENCY: 4e-3})
    add_derived(metrics)
    assert metrics.value("edp") == pytest.approx(8e-6) and metrics.value("power") == pytest.approx(0.5)
    unknown = Metrics({ENERGY: None, LATENCY: 4e-3})
    add_derived(unknown)
    assert all(unknown.value(d.metric.name) is None for d in DERIVED)


def test_metrics_refuse_non_numbers_and_hide_non_finite_values():
    with pytest.raises(TypeError):
        Metrics({ENERGY: "1 mJ"})
    assert Metrics({ENERGY: math.inf}).value("energy") is None


def test_a_stage_reporting_an_undeclared_metric_fails_the_candidate(monkeypatch):
    from codesign.search.stages.synthetic import SyntheticStage

    experiment = Experiment.build(parse_config(tiny_config(evaluator={"name": "synthetic"})))
    original = SyntheticStage.run

    def sneaky(self, candidate, upstream):
        result = original(self, candidate, upstream)
        result.values["accuracy"] = 0.9
        return result

    monkeypatch.setattr(SyntheticStage, "run", sneaky)
    import optuna

    candidate = experiment.candidate(optuna.create_study().ask())
    outcome = experiment.pipeline.evaluate(candidate)
    assert outcome.failed and "undeclared metric(s) accuracy" in outcome.error


def test_unused_optional_stages_are_left_out():
    stages = lambda config: [s.name for s in Experiment.build(parse_config(config)).pipeline_spec.stages]  # noqa: E731
    assert stages(tiny_config()) == ["network", "proxy", "cost"]
    assert stages(tiny_config(objectives={"latency": "minimize"}, constraints={})) == ["network", "cost"]


ZERO_COST = ("synflow", "naswot", "jacob_cov", "grad_norm", "snip", "fisher", "zico", "params", "flops")


def test_proxy_scores_equal_those_of_a_rebuilt_model():
    """One build shared by workload extraction and every proxy scores what rebuilding did."""
    hardware = model_pipeline("mbconv", space_options=TINY_SPACE, cost=False).subspaces["hw"].space.base
    for name in ZERO_COST:
        pipeline = model_pipeline("mbconv", space_options=TINY_SPACE, proxy=name, proxy_batch_size=8)
        space = pipeline.subspaces["arch"].space
        arch = space.parse(ARCH)
        shared = pipeline.evaluate(Candidate({"arch": arch, "hw": hardware})).metrics.value("proxy")
        batch = proxy_batch("synthetic", space.input_shape(arch), 8, space.options.num_classes, 0)
        rebuilt = PROXIES.create(name).score(ProxyContext(model_factory=lambda s=space, a=arch: s.build(a, seed=0), batch=batch,
                                                          workload_factory=lambda s=space, a=arch: s.workload(a)))
        assert shared == rebuilt.value, name


def test_the_network_is_built_once_per_architecture(monkeypatch):
    pipeline = model_pipeline("mbconv", space_options=TINY_SPACE, proxy="combo", proxy_batch_size=8,
                              proxy_options={"reference_size": 3})
    space = pipeline.subspaces["arch"].space
    pipeline.stage("proxy").ensure_reference()
    builds = []
    real_build = type(space).build
    monkeypatch.setattr(type(space), "build", lambda self, arch, seed=0: builds.append(arch.key) or real_build(self, arch, seed))
    hardware = pipeline.subspaces["hw"].space.base
    candidate = Candidate({"arch": space.parse(ARCH), "hw": hardware})
    first = pipeline.evaluate(candidate)
    assert builds == [ARCH]  # extraction and the three components of the combination share it
    second = pipeline.evaluate(Candidate({"arch": space.parse(ARCH), "hw": hardware.replace(rows=8)}))
    assert builds == [ARCH] and second.cache_hit and not first.cache_hit
    assert second.metrics.value("proxy") == first.metrics.value("proxy")


@pytest.mark.parametrize("name,options", [("vit", {}), ("nni", {"model_space": "tests/spaces/nni_fixture_space.py:MixedSpace"})])
def test_a_sampled_key_is_parsed_once(monkeypatch, name, options):
    import optuna

    from codesign.spaces.base import create_space

    try:
        space = create_space(name, options)
    except Exception as exc:  # noqa: BLE001 - the NNI fixture needs NNI
        pytest.skip(f"{name}: {exc}")
    calls = []
    real = type(space).from_key
    monkeypatch.setattr(type(space), "from_key", lambda self, key: calls.append(key) or real(self, key))
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    for _ in range(3):
        space.sample(study.ask())
    assert len(calls) == 3
