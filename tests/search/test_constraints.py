"""Objectives and constraints: every metric as an objective in either direction, budgets as
Optuna constraints, and unmappable designs recorded as infeasible trials that steer the sampler."""
from __future__ import annotations

import pytest

from codesign.search.metrics import METRICS
from tests.conftest import tiny_config
from tests.search.helpers import run_config, synthetic_config

ALL_OBJECTIVES = {"proxy": "maximize", "latency": "minimize", "energy": "minimize", "edp": "minimize",
                  "area": "minimize", "power": "maximize"}


def test_each_metric_is_an_objective_with_its_direction(tmp_path):
    budgets = {"area": "<= 1 mm2", "latency": "<= 0.5 ms", "power": ">= 20 mW"}
    run_dir, summary = run_config(tmp_path / "r", tiny_config(objectives=ALL_OBJECTIVES, constraints=budgets,
                                                               budget={"trials": 6}))
    study = run_dir.study()
    assert [d.name.lower() for d in study.directions] == list(ALL_OBJECTIVES.values())
    complete = [r for r in run_dir.trials() if r.state == "COMPLETE" and not r.result.get("infeasible")]
    assert complete
    for r in complete:
        for value, name in zip(r.values, ALL_OBJECTIVES, strict=True):
            assert value == r.metrics[METRICS[name].key]
        # Budgets: Optuna's convention (<= 0 satisfied), relative to the bound, in SI units.
        assert r.constraints["area"] == pytest.approx(r.metrics["area_mm2"] / 1.0 - 1.0)
        assert r.constraints["latency"] == pytest.approx(r.metrics["latency_s"] / 0.5e-3 - 1.0)
        assert r.constraints["power"] == pytest.approx(1.0 - r.metrics["power_w"] / 20e-3)
        assert r.feasible == all(v <= 0 for v in r.constraints.values())


@pytest.mark.parametrize("metric", ["proxy", "latency", "energy", "edp", "area", "power", "params", "macs"])
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_any_metric_either_direction_single_objective(tmp_path, metric, direction):
    run_dir, _ = run_config(tmp_path / "r", synthetic_config(objectives={metric: direction}, budget={"trials": 3}))
    study = run_dir.study()
    assert study.directions[0].name.lower() == direction
    for r in run_dir.trials():
        assert r.values == (r.metrics[METRICS[metric].key],)


def _unmappable_share(records, start, stop):
    part = records[start:stop]
    return sum(r.infeasible for r in part) / len(part)


def test_nsga2_moves_away_from_designs_that_do_not_map(tmp_path):
    # 64x64 weight-stationary arrays: a filter SRAM of 1 or 2 KiB cannot hold a tile (the real
    # cost model says so), so half the accelerator space is unmappable.
    config = tiny_config(strategy={"name": "nsga2", "options": {"population_size": 10}}, constraints={},
                         budget={"trials": 40})
    config["accelerator"]["search"] = {"rows": [64], "cols": [64], "dataflow": ["ws"], "filter_sram_kib": [1, 2, 16, 32],
                                       "ifmap_sram_kib": [8, 32], "ofmap_sram_kib": [8, 32]}
    run_dir, summary = run_config(tmp_path / "r", config)
    records = run_dir.trials()
    assert summary.failed == 0 and summary.infeasible > 0
    unmappable = [r for r in records if r.infeasible]
    assert all(r.params["hw.filter_sram_kib"] in (1, 2) and "filter SRAM" in r.result["infeasible"] for r in unmappable)
    early, late = _unmappable_share(records, 0, 20), _unmappable_share(records, 20, 40)
    assert early >= 0.25 and late <= 0.1, (early, late)


@pytest.mark.parametrize("name,options", [("tpe", {"n_startup_trials": 10}), ("nsga2", {"population_size": 10})])
def test_learning_strategies_avoid_the_unmappable_region_better_than_random(tmp_path, name, options):
    def late_share(strategy):
        config = synthetic_config({"unmappable": {"hw.filter_sram_kib": [8]}}, strategy=strategy,
                                  budget={"trials": 60})
        run_dir, _ = run_config(tmp_path / strategy["name"], config)
        return _unmappable_share(run_dir.trials(), 30, 60)

    baseline = late_share({"name": "random"})
    learned = late_share({"name": name, "options": options})
    assert baseline >= 0.3 and learned <= baseline / 2, (learned, baseline)
