"""What a report gathers from a run: trial classes, convergence, per-design detail, importances."""
from __future__ import annotations

import math

import pytest

from codesign.report.collect import _spread, run_payload
from codesign.report.convergence import convergence
from codesign.report.design import cost_evaluator, design_detail, trial_candidate
from codesign.report.export import export_trial
from codesign.report.front import front_hypervolume
from codesign.report.trials import load_run


@pytest.fixture(scope="module")
def view(run_path):
    return load_run(run_path)


def test_every_trial_class_appears_and_matches_its_record(view):
    classes = {r.number: view.trial_class(r) for r in view.records}
    assert set(classes.values()) == {"front", "dominated", "infeasible", "failed"}
    for r in view.records:
        expected = {"FAIL": "failed"}.get(r.state) or ("infeasible" if r.infeasible else None)
        if expected:
            assert classes[r.number] == expected
    assert {n for n, c in classes.items() if c == "front"} == {r.number for r in view.front.trials}


def test_convergence_ends_at_the_runs_front(view):
    conv = convergence(view.records, view.objectives)
    assert conv["finished"][-1] == len(view.records)
    assert conv["front_size"][-1] == len(view.front.trials)
    assert conv["hypervolume"][-1] == pytest.approx(front_hypervolume(view.records, view.objectives))
    assert conv["hypervolume"][0] is None  # one trial has no hypervolume yet
    assert conv["hv_finished"][-1] == len(view.records)


def test_convergence_samples_the_hypervolume_evenly(view):
    full = convergence(view.records, view.objectives, hv_points=len(view.records))
    sampled = convergence(view.records, view.objectives, hv_points=7)
    assert len(sampled["hv_finished"]) <= 8 and sampled["hv_finished"][-1] == len(view.records)
    at = dict(zip(full["hv_finished"], full["hypervolume"], strict=True))
    for n, hv in zip(sampled["hv_finished"], sampled["hypervolume"], strict=True):
        assert hv == at[n]
    assert sampled["front_size"] == full["front_size"]


def test_design_detail_layers_add_up_and_match_export(view, tmp_path):
    record = view.front.trials[0]
    detail = design_detail(cost_evaluator(view.experiment), trial_candidate(view.experiment, record))
    exported = export_trial(view.run_dir, record.number, tmp_path / "bundle", onnx=False)
    m = detail["metrics"]
    for key in ("latency_s", "energy_j", "area_mm2"):
        assert m[key] == pytest.approx(exported[key], rel=1e-9), key
    layers = detail["layers"]
    assert sum(layer["latency_s"] for layer in layers) == pytest.approx(m["latency_s"], rel=1e-9)
    for comp, total in detail["energy_split_j"].items():
        assert sum(layer["energy_j"][comp] for layer in layers) == pytest.approx(total, rel=1e-9, abs=1e-18), comp
    assert sum(detail["area_mm2"].values()) == pytest.approx(m["area_mm2"], rel=1e-9)


def test_no_layer_runs_above_the_roofline(view):
    for record in view.front.trials[:3]:
        detail = design_detail(cost_evaluator(view.experiment), trial_candidate(view.experiment, record))
        roof = detail["roofline"]
        points = [layer for layer in detail["layers"] if layer["intensity"]]
        assert points
        for layer in points:
            attainable = min(roof["peak_ops_s"], layer["intensity"] * roof["dram_bytes_s"])
            assert layer["throughput"] <= attainable * (1 + 1e-9), layer["name"]


def test_payload_importances_cover_objectives_and_sum_to_one(view):
    payload = run_payload(view, detail_limit=2)
    assert set(payload["importances"]) == {o.metric.name for o in view.objectives}
    for shares in payload["importances"].values():
        assert set(shares) <= set(view.searched_params())
        assert math.isclose(sum(shares.values()), 1.0, rel_tol=1e-6)
    assert len(payload["details"]) == 2
    assert payload["detail_total"] == len(view.front.trials)
    assert len(payload["trials"]) == len(view.records)
    assert not payload["in_progress"]


def test_detail_spread_keeps_ends_and_limit():
    items = list(range(10))
    assert _spread(items, 4) == [0, 3, 6, 9]
    assert _spread(items, 20) == items
    assert _spread(items, 0) == []
