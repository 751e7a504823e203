"""The strategy suite: every registered strategy runs the same checks (Optuna's habit for
samplers), so a new strategy is tested by registering it. Strategy-specific behaviour (grid
exhaustion, nested rounds) follows."""
from __future__ import annotations

import collections

import pytest

from codesign.config.schema import parse_config
from codesign.errors import ConfigError
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.search.strategies import STRATEGIES
from codesign.storage.run_dir import RunDir
from codesign.storage.trial_attrs import REQUEUE_OF_ATTR, ROUND_KEY, SLOT_KEY
from tests.search.helpers import SMALL_HW, run_config, small_config, synthetic_config

NAMES = STRATEGIES.names()
#: Options that keep the learning strategies learning within the suite's small budgets.
OPTIONS = {"nsga2": {"population_size": 6}, "tpe": {"n_startup_trials": 5},
           "nested": {"inner_trials": 3, "outer": {"name": "nsga2", "options": {"population_size": 4}}}}
FAULTS = {"unmappable": {"hw.rows": [16]}, "fail": {"hw.ifmap_sram_kib": [8], "hw.dataflow": ["is"]}}


def strategy(name: str) -> dict:
    return {"name": name, "options": OPTIONS.get(name, {})}


def in_space(experiment: Experiment, params: dict) -> bool:
    space = experiment.joint_space.params
    return set(params) == set(space) and all(params[k] in space[k].choices for k in params)


def test_every_builtin_strategy_is_registered():
    assert {"nsga2", "tpe", "random", "qmc", "grid", "nested"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_strategy_runs_to_budget_inside_the_space(tmp_path, name):
    run_dir, summary = run_config(tmp_path / "r", synthetic_config(FAULTS, strategy=strategy(name)))
    records = run_dir.trials()
    experiment = Experiment.from_config(run_dir.config())
    assert summary.finished == summary.new_trials == len(records) == 24 and summary.reason == "budget"
    for r in records:
        assert in_space(experiment, r.params), r.params
        assert r.part_data("arch")["key"] == experiment.candidate_from_params(r.params).part("arch").key
        hardware = r.part_data("hw")["params"]
        assert all(hardware[k[3:]] == v for k, v in r.params.items() if k.startswith("hw."))
    # Faults of every kind are recorded as such and the search went on.
    for r in records:
        if r.params["hw.ifmap_sram_kib"] == 8 or r.params["hw.dataflow"] == "is":
            assert r.state == "FAIL" and "synthetic failure" in r.result["error"]
        elif r.params["hw.rows"] == 16:
            assert r.state == "COMPLETE" and r.infeasible and r.constraints["mappable"] == 0.5
        else:
            assert r.state == "COMPLETE"
    assert summary.failed == sum(r.state == "FAIL" for r in records)
    assert summary.infeasible == sum(r.infeasible for r in records)


@pytest.mark.parametrize("name", NAMES)
def test_strategy_same_seed_same_trials(tmp_path, name):
    def params(label, seed):
        run_dir, _ = run_config(tmp_path / label, synthetic_config(strategy=strategy(name), seed=seed,
                                                                   budget={"trials": 12}))
        return [r.params for r in run_dir.trials()]

    first = params("a", 0)
    assert params("b", 0) == first
    assert params("c", 1) != first


@pytest.mark.parametrize("name", NAMES)
def test_strategy_resumes_trials_a_killed_run_left_running(tmp_path, name):
    config = synthetic_config(strategy=strategy(name), budget={"trials": 16})
    cfg = parse_config(config)
    run_dir = RunDir.create(tmp_path / "r", cfg)
    # The first session stops after 7 trials; then a "killed" process asks two more, tells nothing.
    run_search(Experiment.from_config(parse_config({**config, "budget": {"trials": 7}})), run_dir, quiet=True)
    experiment = Experiment.from_config(cfg)
    study = run_dir.study(experiment.directions, experiment.sampler)
    stale = []
    for _ in range(2):
        trial = study.ask()
        experiment.candidate(trial)
        stale.append(trial.number)
    run_dir.flush()

    resumed, summary = run_config(tmp_path / "r", config, resume=True)
    assert summary.requeued == 2
    records = resumed.trials()
    assert not [r for r in records if r.state == "RUNNING"]
    counted = [r for r in records if not r.requeued]
    assert len(counted) == 16 and summary.finished == 16
    by_number = {r.number: r for r in records}
    copies = [r for r in records if r.result and r.number not in stale and r.number > max(stale)]
    for number in stale:  # each interrupted candidate is evaluated again, with its parameters
        assert by_number[number].requeued and by_number[number].state == "FAIL"
        assert any(c.params == by_number[number].params for c in copies)


# -- grid ---------------------------------------------------------------------------------------
def test_grid_visits_every_point_once_then_stops(tmp_path):
    run_dir, summary = run_config(tmp_path / "g", small_config(strategy={"name": "grid"}, budget={"trials": 50}))
    points = [tuple(sorted(r.params.items())) for r in run_dir.trials()]
    assert summary.reason == "exhausted" and summary.finished == 12
    assert len(set(points)) == len(points) == 12  # 2 architectures x 2 row counts x 3 dataflows


def test_grid_order_spreads_a_partial_budget(tmp_path):
    run_dir, _ = run_config(tmp_path / "g", small_config(strategy={"name": "grid"}, budget={"trials": 6}))
    records = run_dir.trials()
    # Half the budget already reaches both architectures, both row counts and every dataflow.
    assert len({r.params["arch.e1"] for r in records}) == 2
    assert len({r.params["hw.rows"] for r in records}) == 2
    assert len({r.params["hw.dataflow"] for r in records}) == 3


def test_grid_continues_after_resume_without_repeats(tmp_path):
    config = small_config(strategy={"name": "grid"}, budget={"trials": 12})
    run_dir = RunDir.create(tmp_path / "g", parse_config(config))
    run_search(Experiment.from_config(parse_config({**config, "budget": {"trials": 5}})), run_dir, quiet=True)
    resumed, summary = run_config(tmp_path / "g", config, resume=True)
    points = [tuple(sorted(r.params.items())) for r in resumed.trials()]
    assert len(points) == len(set(points)) == 12


def test_grid_rejects_a_continuous_range():
    config = small_config(strategy={"name": "grid"})
    config["accelerator"]["search"] = {**SMALL_HW, "clock_mhz": {"low": 100.0, "high": 900.0}}
    with pytest.raises(ConfigError, match=r"accelerator.search.clock_mhz: .*continuous range"):
        Experiment.build(parse_config(config))


def test_grid_accepts_a_stepped_range(tmp_path):
    config = small_config(strategy={"name": "grid"}, budget={"trials": 100})
    config["accelerator"]["search"] = {"rows": {"low": 4, "high": 12, "step": 4}}
    run_dir, summary = run_config(tmp_path / "g", config)
    assert summary.finished == 6 and {r.params["hw.rows"] for r in run_dir.trials()} == {4, 8, 12}


# -- nested -------------------------------------------------------------------------------------
def nested(**options):
    return {"name": "nested", "options": {"inner_trials": 4, **options}}


def test_nested_rounds_share_an_architecture_and_vary_the_accelerator(tmp_path):
    run_dir, summary = run_config(tmp_path / "n", synthetic_config(strategy=nested(), budget={"trials": 24}))
    study = run_dir.study()
    rounds = collections.defaultdict(list)
    for t in study.trials:
        rounds[t.system_attrs[ROUND_KEY]].append(t)
    assert sorted(rounds) == list(range(6))
    for members in rounds.values():
        assert sorted(t.system_attrs[SLOT_KEY] for t in members) == [0, 1, 2, 3]
        arch = {k: v for k, v in members[0].params.items() if k.startswith("arch.")}
        assert all({k: v for k, v in t.params.items() if k.startswith("arch.")} == arch for t in members)
        assert len({tuple(sorted((k, v) for k, v in t.params.items() if k.startswith("hw."))) for t in members}) > 1
    assert len({tuple(sorted(rounds[r][0].params.items())) for r in rounds}) > 1  # the outer search moves


def test_nested_outer_search_sees_each_round_as_its_ideal_point(tmp_path):
    from codesign.search.nested import NestedSampler

    run_dir, _ = run_config(tmp_path / "n", synthetic_config(strategy=nested(), budget={"trials": 12}))
    experiment = Experiment.from_config(run_dir.config())
    sampler = experiment.sampler
    assert isinstance(sampler, NestedSampler)
    study = run_dir.study()
    view = sampler._outer_view(study, study.trials[-1])
    outer = view.get_trials()
    assert [t.number for t in outer] == [0, 1, 2]
    for t in outer:
        members = [m for m in study.trials if m.system_attrs[ROUND_KEY] == t.number]
        feasible = [m for m in members if m.state.name == "COMPLETE" and all(v <= 0 for v in m.constraints.values())]
        assert t.state.name == "COMPLETE" and set(t.params) == {k for k in members[0].params if k.startswith("arch.")}
        assert t.values[0] == max(m.values[0] for m in feasible)  # proxy: maximised
        assert t.values[1] == min(m.values[1] for m in feasible)  # latency: minimised
        assert t.values[2] == min(m.values[2] for m in feasible)


@pytest.mark.parametrize("shared", [True, False])
def test_nested_inner_sampler_sees_every_round_or_only_its_own(tmp_path, shared):
    run_dir, _ = run_config(tmp_path / "n", synthetic_config(strategy=nested(shared_inner=shared), budget={"trials": 12}))
    experiment = Experiment.from_config(run_dir.config())
    sampler = experiment.sampler
    study = run_dir.study()
    view = sampler._round_view(study, 2, study.trials[-1]).get_trials()
    assert len(view) == (12 if shared else 4)
    assert shared or all(t.system_attrs[ROUND_KEY] == 2 for t in view)


def test_nested_requeued_trial_keeps_its_round(tmp_path):
    config = synthetic_config(strategy=nested(), budget={"trials": 12})
    run_dir = RunDir.create(tmp_path / "n", parse_config(config))
    run_search(Experiment.from_config(parse_config({**config, "budget": {"trials": 5}})), run_dir, quiet=True)
    experiment = Experiment.from_config(parse_config(config))
    study = run_dir.study(experiment.directions, experiment.sampler)
    trial = study.ask()  # round 1, slot 1: killed before it was told
    experiment.candidate(trial)
    run_dir.flush()
    resumed, _ = run_config(tmp_path / "n", config, resume=True)
    trials = resumed.study().trials
    copy = next(t for t in trials if t.user_attrs.get(REQUEUE_OF_ATTR) == trial.number)
    assert (copy.system_attrs[ROUND_KEY], copy.system_attrs[SLOT_KEY]) == (1, 1)
    assert copy.params == trials[trial.number].params
    slots = collections.Counter((t.system_attrs[ROUND_KEY], t.system_attrs[SLOT_KEY]) for t in trials
                                if not t.user_attrs.get("requeued"))
    assert set(slots.values()) == {1} and len(slots) == 12


@pytest.mark.parametrize("options,needle", [
    ({"inner_trials": 0}, "strategy.options.inner_trials: must be an integer >= 1"),
    ({"inner": {"name": "nested"}}, "strategy.options.inner.name: a nested strategy cannot nest another"),
    ({"outer": {"name": "nope"}}, "strategy.options.outer.name: unknown strategy 'nope'"),
    ({"inner": {"name": "grid"}}, "strategy.options.inner.name: 'grid' cannot be part of a nested strategy"),
    ({"depth": 2}, "strategy.options.depth: unknown option"),
    ({"outer_subspaces": ["nope"]}, "strategy.options.outer_subspaces: expected a non-empty list"),
    ({"shared_inner": "yes"}, "strategy.options.shared_inner: must be true or false"),
    # The nested part's own options are named as such (issue 13).
    ({"outer": {"name": "tpe", "options": {"bogus": 1}}}, "strategy.options.outer.options.bogus: unknown option"),
    ({"inner": {"name": "nsga2", "options": {"population_size": 1}}}, "strategy.options.inner.options: NSGAIISampler"),
])
def test_nested_bad_options_are_one_line_errors(options, needle):
    with pytest.raises(ConfigError) as err:
        Experiment.build(parse_config(synthetic_config(strategy={"name": "nested", "options": options})))
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_qmc_is_scrambled_so_seeds_differ_beyond_the_first_trial(tmp_path):
    def params(label, seed):
        run_dir, _ = run_config(tmp_path / label, synthetic_config(strategy={"name": "qmc"}, seed=seed,
                                                                   budget={"trials": 6}))
        return [r.params for r in run_dir.trials()][1:]  # trial 0 is drawn by QMC's fallback sampler

    assert params("a", 0) != params("b", 1)
