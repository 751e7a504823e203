"""What a report gathers from a run: trial classes, convergence, per-design detail, importances."""
from __future__ import annotations

import math

import pytest

from codesign.report.collect import run_detail_pipeline, run_payload
from codesign.report.convergence import convergence
from codesign.report.design import design_detail, detail_pipeline
from codesign.report.export import export_trial
from codesign.report.front import front_hypervolume
from codesign.report.importance import importances
from codesign.report.trials import load_run, spread
from codesign.search.design import model_pipeline
from tests.conftest import tiny_config
from tests.search.helpers import run_config


@pytest.fixture(scope="module")
def view(run_path):
    return load_run(run_path)


def _detail(view, record):
    scoring = run_detail_pipeline(view)
    return design_detail(scoring.pipeline, view.experiment.candidate_of(record))


def _metrics(detail):
    """The detail's metrics back in SI units, by stored key."""
    return {m["key"]: m["value"] / _factor(m) for m in detail["metrics"] if m["value"] is not None}


def _factor(info):
    from codesign.search.metrics import METRICS

    metric = METRICS[info["name"]]
    return metric.units[metric.display_unit]


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


def test_synthetic_run_detail_is_the_cost_model_as_evaluate_scores_it(view):
    """A synthetic run has no cost stage: its detail is a cost-only pipeline, which must score a
    design as ``codesign evaluate`` (the model pipeline without a proxy) does; the layers add up
    to its totals. Independent construction paths (run config vs. ``model_pipeline``)."""
    scoring = run_detail_pipeline(view)
    assert [s.name for s in scoring.pipeline.stages] == ["network", "cost"]
    assert "synthetic" in scoring.note and "not the trial's metrics" in scoring.note
    record = view.front.trials[0]
    candidate = view.experiment.candidate_of(record)
    detail = design_detail(scoring.pipeline, candidate)
    cfg = view.experiment.config
    evaluate = model_pipeline(cfg.space.name, space_options=cfg.space.options, template=cfg.accelerator.template,
                              goal=cfg.accelerator.goal, seed=cfg.seed).evaluate(candidate)
    m = _metrics(detail)
    for name in ("latency", "energy", "area"):
        key = evaluate.metrics.spec(name).key
        assert m[key] == pytest.approx(evaluate.metrics.value(name), rel=1e-5), name  # 6 shown digits
    layers = detail["layers"]
    assert sum(layer["latency_s"] for layer in layers) == pytest.approx(m["latency_s"], rel=1e-5)
    for comp, total in detail["energy_split_j"].items():
        assert sum(layer["energy_j"][comp] for layer in layers) == pytest.approx(total, rel=1e-9, abs=1e-18), comp
    assert sum(detail["area_mm2"].values()) == pytest.approx(m["area_mm2"], rel=1e-5)
    assert [p["name"] for p in detail["parts"]] == list(view.experiment.subspaces)


def test_model_run_detail_matches_export(tmp_path):
    """A run with a cost stage is re-scored by its own pipeline (the proxy dropped): the detail's
    metrics are those ``codesign export`` writes for the trial."""
    run_dir, _ = run_config(tmp_path / "run", tiny_config(budget={"trials": 3}, constraints={}))
    view = load_run(run_dir.path)
    scoring = run_detail_pipeline(view)
    assert "proxy" not in [s.name for s in scoring.pipeline.stages] and "without proxy" in scoring.note
    record = next(r for r in view.records if r.state == "COMPLETE")
    detail = _detail(view, record)
    exported = export_trial(view.run_dir, record.number, tmp_path / "bundle", onnx=False)
    m = _metrics(detail)
    for key in ("latency_s", "energy_j", "area_mm2"):
        assert m[key] == pytest.approx(exported[key], rel=1e-5), key


def test_detail_unavailable_without_arch_or_hardware(view):
    """No cost model without the parts it needs: the note says so and no pipeline is made."""
    exp = view.experiment
    only_arch = {"arch": exp.subspaces["arch"]}
    spec = exp.pipeline_spec
    scoring = detail_pipeline(spec, only_arch, exp.config)
    assert scoring.pipeline is None and "unavailable" in scoring.note


def test_no_layer_runs_above_the_roofline(view):
    for record in view.front.trials[:3]:
        detail = _detail(view, record)
        roof = detail["roofline"]
        points = [layer for layer in detail["layers"] if layer["intensity"]]
        assert points
        for layer in points:
            attainable = min(roof["peak_ops_s"], layer["intensity"] * roof["dram_bytes_s"])
            assert layer["throughput"] <= attainable * (1 + 1e-9), layer["name"]


def test_importances_subsample_is_stated_and_bounded(view):
    feasible = sum(r.feasible for r in view.records)
    full = importances(view.frozen, view.records, view.objectives)
    capped = importances(view.frozen, view.records, view.objectives, max_trials=5)
    assert full.trials == full.feasible == feasible
    assert capped.trials == 5 and capped.feasible == feasible
    assert set(capped.values) <= set(full.values)


def test_payload_importances_cover_objectives_and_sum_to_one(view):
    payload = run_payload(view, detail_limit=2)
    assert set(payload["importances"]) == {o.metric.name for o in view.objectives}
    for shares in payload["importances"].values():
        assert set(shares) <= set(view.searched_params())
        assert math.isclose(sum(shares.values()), 1.0, rel_tol=1e-6)
    assert len(payload["details"]) == 2
    assert payload["importance_trials"] == payload["importance_feasible"] == sum(r.feasible for r in view.records)
    assert payload["detail_total"] == len(view.front.trials)
    assert len(payload["trials"]) == len(view.records)
    assert not payload["in_progress"]


def test_detail_spread_keeps_ends_and_limit():
    items = list(range(10))
    assert spread(items, 4) == [0, 3, 6, 9]
    assert spread(items, 20) == items
    assert spread(items, 0) == []


def test_ped_anova_imports_no_sklearn_and_forests_still_work_after(run_path):
    """PED-ANOVA is computed without importing scikit-learn; a forest evaluator asked for later
    in the same process still works (fresh interpreter: nothing imported sklearn before)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from codesign.report.importance import importances\n"
        "from codesign.report.trials import load_run, spread\n"
        f"view = load_run({str(run_path)!r})\n"
        "ped = importances(view.frozen, view.records, view.objectives)\n"
        "assert ped.values and 'sklearn' not in sys.modules, sorted(m for m in sys.modules if 'sklearn' in m)[:3]\n"
        "forest = importances(view.frozen, view.records, view.objectives, evaluator='mean_decrease_impurity')\n"
        "assert set(forest.values) == set(ped.values) and 'sklearn' in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
