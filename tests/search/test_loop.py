"""The ask/tell loop: trials recorded with their results, determinism, failures, constraints."""
import pytest

from codesign.config.schema import parse_config
from codesign.pareto import nondominated_mask
from codesign.report.front import compute_front, loss_matrix
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.storage.run_dir import RunDir
from tests.conftest import tiny_config


def run(tmp_path, name="run", **overrides):
    config = parse_config(tiny_config(**overrides))
    run_dir = RunDir.create(tmp_path / name, config)
    summary = run_search(Experiment.from_config(config), run_dir, quiet=True)
    return run_dir, summary


def test_tiny_search_records_every_trial(tmp_path):
    run_dir, summary = run(tmp_path)
    records = run_dir.trials()
    assert summary.finished == summary.new_trials == len(records) == 12
    complete = [r for r in records if r.state == "COMPLETE"]
    assert complete, [r.result.get("error") for r in records]
    for r in complete:
        assert len(r.values) == 3
        assert r.part_data("arch")["space"] == "mbconv" and r.part_data("hw")["template"] == "systolic"
        assert r.metrics["latency_s"] == r.values[1] and r.metrics["proxy"] == r.values[0]
        assert set(r.constraints) == {"mappable", "area"}  # every trial says whether it maps
        assert r.constraints["mappable"] == 0.0
        assert (r.constraints["area"] <= 0) == (r.metrics["area_mm2"] <= 1.0)


def test_front_is_nondominated_and_feasible(tmp_path):
    run_dir, _ = run(tmp_path)
    experiment = Experiment.from_config(run_dir.config())
    front = compute_front(run_dir.trials(), experiment.objectives)
    assert front.trials and all(r.feasible for r in front.trials)
    losses = loss_matrix(front.trials, experiment.objectives)
    assert nondominated_mask(losses).all()
    feasible = [r for r in run_dir.trials() if r.feasible]
    assert len(front.trials) <= len(feasible) == front.n_feasible


def test_same_seed_same_trials(tmp_path):
    a, _ = run(tmp_path, "a")
    b, _ = run(tmp_path, "b")
    assert [r.params for r in a.trials()] == [r.params for r in b.trials()]
    assert [r.values for r in a.trials()] == [r.values for r in b.trials()]
    c, _ = run(tmp_path, "c", seed=1)
    assert [r.params for r in c.trials()] != [r.params for r in a.trials()]


def test_evaluation_errors_become_failed_trials(tmp_path, monkeypatch):
    from codesign.costmodel.systolic import SystolicCostModel

    calls = {"n": 0}
    original = SystolicCostModel._evaluate

    def flaky(self, workload, hw):
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise RuntimeError("simulated cost-model crash")
        return original(self, workload, hw)

    monkeypatch.setattr(SystolicCostModel, "_evaluate", flaky)
    run_dir, summary = run(tmp_path)
    failed = [r for r in run_dir.trials() if r.state == "FAIL"]
    assert summary.finished == 12 and len(failed) == summary.failed == 4
    assert all("RuntimeError: simulated cost-model crash" in r.result["error"] for r in failed)


def test_unmappable_designs_are_complete_infeasible_trials_with_reason(tmp_path):
    search = {"rows": [64], "cols": [64], "filter_sram_kib": [1], "dataflow": ["ws"]}
    run_dir, summary = run(tmp_path, accelerator={"template": "systolic", "search": search},
                           budget={"trials": 3}, constraints={"area": "<= 1 mm2", "latency": "<= 1 ms"})
    records = run_dir.trials()
    assert summary.failed == 0 and summary.infeasible == 3 and summary.front_size == 0
    for r in records:
        assert r.state == "COMPLETE" and r.infeasible and not r.feasible
        assert "filter SRAM (1 KiB)" in r.result["infeasible"]
        # The objectives it has carry their values; those it lacks carry the worst value, said so.
        assert r.values[0] == r.metrics["proxy"] and r.values[1:] == (float("inf"), float("inf"))
        assert r.result["placeholder_objectives"] == ["latency", "energy"]
        assert 0 < r.constraints["mappable"] <= 1
        # The area is known and told; the latency budget cannot be judged and is listed instead.
        assert "area" in r.constraints and "latency" not in r.constraints
        assert r.result["unevaluated_constraints"] == ["latency"]


def test_time_budget_stops_the_run(tmp_path):
    _, summary = run(tmp_path, budget={"trials": None, "time": 1.0})
    assert 1 <= summary.finished < 200
    assert summary.seconds < 30


def test_fixed_preset_accelerator(tmp_path):
    run_dir, _ = run(tmp_path, accelerator={"preset": "edge_tpu"}, budget={"trials": 4}, constraints={},
                     objectives={"proxy": "maximize", "latency": "minimize"})
    hw = {tuple(sorted(r.part_data("hw")["params"].items())) for r in run_dir.trials()}
    assert len(hw) == 1


@pytest.mark.parametrize("strategy", ["tpe", "random", "qmc"])
def test_other_strategies_run(tmp_path, strategy):
    _, summary = run(tmp_path, strategy={"name": strategy}, budget={"trials": 4})
    assert summary.finished == 4


def test_status_of_a_run_stopped_by_its_time_budget_and_of_a_fresh_one(tmp_path):
    from codesign.report.status import run_status
    from tests.search.helpers import run_config, synthetic_config

    run_dir, summary = run_config(tmp_path / "t", synthetic_config({"sleep_s": 0.05}, budget={"trials": 1000, "time": 0.5}))
    status = run_status(run_dir)
    assert summary.reason == "time" and status["state"] == "stopped" and status["reason"] == "time"
    assert status["finished"] == summary.finished < 1000 and status["running"] == 0
    fresh = RunDir.create(tmp_path / "f", parse_config(tiny_config()))
    assert run_status(fresh)["state"] == "not started"


def test_front_tracker_matches_the_front_of_the_records(tmp_path):
    from codesign.report.front import FrontTracker, front_hypervolume
    from tests.search.helpers import run_config, synthetic_config

    run_dir, summary = run_config(tmp_path / "r", synthetic_config({"unmappable": {"hw.rows": [16]}},
                                                                   budget={"trials": 60}))
    experiment = Experiment.from_config(run_dir.config())
    records = run_dir.trials()
    front = compute_front(records, experiment.objectives)
    tracker = FrontTracker(experiment.objectives)
    tracker.add_records(records)
    assert summary.front_size == tracker.size == len(front.trials)
    assert summary.hypervolume == pytest.approx(front_hypervolume(records, experiment.objectives))
    assert tracker.hypervolume() == pytest.approx(summary.hypervolume)
