"""A rank combination's reference sample, scored while preparing, doubles as the first random
draws of a fresh study: those trials are answered from the scores already computed, with the
values a fresh evaluation gives, and only strategies whose first trials are random take them."""
from __future__ import annotations

import pytest

from codesign.api import run
from codesign.config.schema import parse_config
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.search.stages import proxy as proxy_stage
from codesign.storage.run_dir import RunDir
from tests.conftest import tiny_config

COMBO = {"name": "combo", "batch_size": 8, "options": {"reference_size": 4}}


def _trials(out):
    return sorted(RunDir(out).trials(), key=lambda r: r.number)


def _arch(record):
    return record.part_data("arch")["key"]


def test_a_fresh_nsga2_run_draws_its_first_architectures_from_the_reference_sample(tmp_path):
    summary = run(tiny_config(proxy=COMBO), out=tmp_path / "run", quiet=True)
    records = _trials(tmp_path / "run")
    reference = [arch.key for arch, _ in summary.experiment.pipeline.stage("proxy").reference_sample()]
    seeded = [r for r in records if r.seeded_from]
    assert [r.number for r in seeded] == [0, 1, 2, 3]  # population 6, reference 4: all four, first
    assert [_arch(r) for r in seeded] == reference
    assert [r.seeded_from for r in seeded] == [f"reference sample #{i}" for i in range(4)]
    assert len({repr(r.part_data("hw")) for r in seeded}) > 1  # the accelerators are the sampler's


def test_a_seeded_architecture_is_scored_once_while_preparing_and_not_again(tmp_path, monkeypatch):
    scored = []
    real = proxy_stage.ProxyStage.context
    monkeypatch.setattr(proxy_stage.ProxyStage, "context",
                        lambda self, arch, *a, **k: scored.append(arch.key) or real(self, arch, *a, **k))
    run(tiny_config(proxy=COMBO), out=tmp_path / "run", quiet=True)
    seeded = [_arch(r) for r in _trials(tmp_path / "run") if r.seeded_from]
    assert scored[:4] == seeded  # the preparation scores the reference sample, in order
    assert not set(seeded) & set(scored[4:])  # the seeded trials are answered, not scored again
    assert len(scored) > 4  # the other trials are scored


def test_a_run_that_stops_early_leaves_no_seed_waiting(tmp_path, monkeypatch):
    from codesign.search import loop

    real = loop._stop_reason
    monkeypatch.setattr(loop, "_stop_reason", lambda config, strategy, study, committed, start:
                        "time" if committed >= 2 else real(config, strategy, study, committed, start))
    run(tiny_config(proxy=COMBO), out=tmp_path / "run", quiet=True)
    records = _trials(tmp_path / "run")
    assert [r.state for r in records] == ["COMPLETE", "COMPLETE"]  # two seeds asked, none left queued


def test_a_seeded_trial_a_killed_run_left_running_keeps_its_label(tmp_path):
    config = tiny_config(proxy=COMBO, budget={"trials": 5})
    cfg = parse_config(config)
    run_dir = RunDir.create(tmp_path / "run", cfg)
    run_search(Experiment.build(parse_config({**config, "budget": {"trials": 1}})), run_dir, quiet=True)
    experiment = Experiment.build(cfg)
    study = run_dir.study(experiment.directions, experiment.sampler)
    seed = _trials(tmp_path / "run")[0]
    study.enqueue_trial(seed.params, user_attrs={"seeded_from": "reference sample #1"})
    experiment.candidate(study.ask())  # a "killed" process asked it and told nothing
    run_dir.flush()
    run_search(experiment, run_dir, quiet=True, resume=True)
    copies = [r for r in _trials(tmp_path / "run") if r.result and r.number > 1 and r.params == seed.params]
    assert copies and copies[0].seeded_from == "reference sample #1"


def test_seeded_trials_score_what_a_fresh_evaluation_scores(tmp_path, monkeypatch):
    run(tiny_config(proxy=COMBO), out=tmp_path / "a", quiet=True)
    original = proxy_stage.ProxyStage.score

    def fresh(self, arch, model=None, workload=None):
        self.options = self.options.model_copy(update={"scored": {}})  # nothing answered from the sample
        return original(self, arch, model, workload)

    monkeypatch.setattr(proxy_stage.ProxyStage, "score", fresh)
    run(tiny_config(proxy=COMBO), out=tmp_path / "b", quiet=True)
    values = lambda out: [(r.params, r.values, r.seeded_from) for r in _trials(out)]  # noqa: E731
    assert values(tmp_path / "a") == values(tmp_path / "b")


def test_the_budget_bounds_the_seeds_and_a_resumed_run_is_not_seeded_again(tmp_path):
    config = tiny_config(proxy=COMBO)
    run_dir = RunDir.create(tmp_path / "run", parse_config(config))
    # the first session stops after 3 trials (its budget), the resumed one goes on to 12
    first = Experiment.build(parse_config({**config, "budget": {"trials": 3}}))
    run_search(first, run_dir, quiet=True)
    reference = [arch.key for arch, _ in first.pipeline.stage("proxy").reference_sample()]
    assert [r.seeded_from is not None for r in _trials(tmp_path / "run")] == [True] * 3
    run_search(Experiment.build(parse_config(config)), run_dir, quiet=True, resume=True)
    records = _trials(tmp_path / "run")
    assert len(records) == 12 and sum(r.seeded_from is not None for r in records) == 3
    assert reference[3] not in [_arch(r) for r in records[3:]]


def test_a_reference_architecture_a_component_failed_on_is_neither_answered_nor_seeded(tmp_path, monkeypatch):
    from codesign.proxies.combination import RankCombination

    original = RankCombination.component_scores
    rows = []

    def first_fails(self, ctx):
        row = original(self, ctx)
        if not rows:
            row = {**row, "synflow": None}
        rows.append(row)
        return row

    monkeypatch.setattr(RankCombination, "component_scores", first_fails)
    summary = run(tiny_config(proxy=COMBO), out=tmp_path / "run", quiet=True)
    stage = summary.experiment.pipeline.stage("proxy")
    sample = stage.reference_sample()
    assert sample[0][0].key not in stage.options.scored and len(stage.options.scored) == 3
    assert stage.seed_params() == [params for _, params in sample[1:]]
    assert [_arch(r) for r in _trials(tmp_path / "run") if r.seeded_from] == [arch.key for arch, _ in sample[1:]]
    # labelled by their place in the sample, which the one that failed keeps
    assert [r.seeded_from for r in _trials(tmp_path / "run") if r.seeded_from] == [f"reference sample #{i}" for i in (1, 2, 3)]


def test_no_seeds_without_a_reference_sample(tmp_path):
    run(tiny_config(), out=tmp_path / "run", quiet=True)  # naswot alone: nothing scored in advance
    assert not any(r.seeded_from for r in _trials(tmp_path / "run"))


@pytest.mark.parametrize("name,options,expected", [
    ("nsga2", {"population_size": 6}, 6), ("random", {}, 40), ("tpe", {}, 10), ("tpe", {"n_startup_trials": 3}, 3),
    ("qmc", {}, 0), ("grid", {}, 0), ("nested", {}, 0),
])
def test_only_strategies_whose_first_trials_are_random_take_seeds(name, options, expected):
    experiment = Experiment.build(parse_config(tiny_config(strategy={"name": name, "options": options})))
    experiment.sampler  # noqa: B018 - the strategy makes its sampler
    assert experiment.strategy.seedable(40) == expected
    assert experiment.strategy.seedable(2) == min(2, expected)


def test_a_stored_row_missing_a_component_is_scored_afresh():
    from codesign.search.design import model_pipeline
    from tests.conftest import TINY_SPACE

    pipeline = model_pipeline("mbconv", space_options=TINY_SPACE, proxy="combo", proxy_batch_size=8,
                              proxy_options={"reference_size": 4}, cost=False)
    stage = pipeline.stage("proxy")
    stage.ensure_reference()
    arch, _ = stage.reference_sample()[0]
    answered = stage.score(arch)
    row = dict(stage.options.scored[arch.key])
    stage.options = stage.options.model_copy(update={"scored": {arch.key: {"naswot": row["naswot"]}}})
    assert stage.score(arch).value == answered.value  # computed again, not a KeyError
    stage.options = stage.options.model_copy(update={"scored": {arch.key: {**row, "synflow": row["synflow"] + 50}}})
    assert stage.score(arch).value != answered.value  # a complete row is what answers
