"""The ``split`` sub-space and stage in a search: the ``split:`` section, its metrics as
objectives, infeasible trials with reasons, bad input naming the field, export of per-tier ONNX."""
from __future__ import annotations

import json

import numpy as np
import pytest

from codesign.errors import ConfigError
from tests.conftest import tiny_config

SPLIT = {"mec": "nvdla_large", "radio": "5g_sub6", "period_ms": 33, "mode": "searched", "bits": [16, 8]}
OBJECTIVES = {"proxy": "maximize", "e2e_latency": "minimize", "device_energy": "minimize"}


def _experiment(**overrides):
    from codesign.config.schema import parse_config
    from codesign.search.experiment import Experiment

    return Experiment.build(parse_config(tiny_config(**overrides)))


def test_without_a_split_section_nothing_changes() -> None:
    experiment = _experiment()
    assert "split" not in experiment.subspaces
    assert "e2e_latency" not in experiment.metrics
    with pytest.raises(ConfigError, match="objectives.e2e_latency"):
        _experiment(objectives={"e2e_latency": "minimize"})


def test_a_split_section_adds_the_sub_space_its_dimensions_and_metrics() -> None:
    experiment = _experiment(split=SPLIT, objectives=OBJECTIVES)
    sub = experiment.subspaces["split"]
    assert [d.name for d in sub.dimensions()] == ["bits", "cut"]
    for name in ("e2e_latency", "device_energy", "uplink_bytes", "device_latency", "transfer_latency",
                 "mec_latency", "radio_energy"):
        assert name in experiment.metrics


@pytest.mark.parametrize(("split", "field"), [
    ({**SPLIT, "radio": {"preset": "5g_sub6", "uplink_mbps": 0}}, "split.radio.uplink_mbps"),
    ({**SPLIT, "radio": "6g"}, "split.radio"),
    ({**SPLIT, "radio": None}, "split.radio"),
    ({"radio": "5g_sub6"}, "split.radio"),
    ({**SPLIT, "backhaul": "fiber_backhaul"}, "split.backhaul"),
    ({**SPLIT, "bits": [0]}, "split.bits"),
    ({**SPLIT, "mode": "sometimes"}, "split.mode"),
    ({**SPLIT, "latency_budget_ms": -1}, "split.latency_budget_ms"),
])
def test_bad_split_sections_name_the_field(split: dict, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        _experiment(split=split, objectives=OBJECTIVES)
    assert info.value.field == field, str(info.value)


def test_a_search_reports_the_split_and_an_impossible_budget_is_infeasible(tmp_path) -> None:
    from codesign import api
    from codesign.storage.run_dir import RunDir

    summary = api.run(tiny_config(split=SPLIT, objectives=OBJECTIVES, budget={"trials": 6}), out=tmp_path / "r")
    records = [r for r in RunDir.open(summary.run_dir).trials() if r.state == "COMPLETE"]
    assert records
    for record in records:
        m = record.metrics
        assert m["e2e_latency_s"] == pytest.approx(m["device_latency_s"] + m["transfer_latency_s"] + m["mec_latency_s"])
        assert m["split_cut"]["bits"] in (16, 8) and -1 <= m["split_cut"]["cut"] < m["split_cut"]["layers"]
        assert record.part_data("split")["mode"] == "searched"
    impossible = {**SPLIT, "mode": "best", "goal": "energy", "latency_budget_ms": 1e-6}
    summary = api.run(tiny_config(split=impossible, objectives=OBJECTIVES, budget={"trials": 3}), out=tmp_path / "b")
    records = [r for r in RunDir.open(summary.run_dir).trials() if r.state == "COMPLETE"]
    assert records and all(r.infeasible for r in records)
    assert any("latency budget" in json.dumps(r.result) for r in records)


def test_best_mode_matches_the_exact_best_of_codesign_split(tmp_path, cli) -> None:
    from codesign import api
    from codesign.storage.run_dir import RunDir

    best = {**SPLIT, "mode": "best", "bits": 8}
    summary = api.run(tiny_config(split=best, objectives=OBJECTIVES, budget={"trials": 2}), out=tmp_path / "r")
    record = next(r for r in RunDir.open(summary.run_dir).trials() if r.state == "COMPLETE" and r.feasible)
    arch, hw = record.part_data("arch")["key"], record.part_data("hw")
    (tmp_path / "hw.yaml").write_text(json.dumps(hw))
    from tests.conftest import TINY_SPACE

    code, out, err = cli("split", "--space", "mbconv", *[f"--space-option={k}={json.dumps(v)}" for k, v in TINY_SPACE.items()],
                         "--arch", arch, "--accelerator", str(tmp_path / "hw.yaml"), "--mec", "nvdla_large",
                         "--link", "5g_sub6", "--period-ms", "33", "--bits", "8", "--json")
    assert code == 0, err
    table = json.loads(out)
    rows = {r["cut"]: r for r in table["rows"]}
    best_cut = table["best"]["latency"]["cut"]
    assert record.metrics["split_cut"]["cut"] == best_cut
    assert record.metrics["e2e_latency_s"] == pytest.approx(rows[best_cut]["latency_s"])
    assert np.isfinite(record.metrics["device_energy_j"])


def test_export_of_a_split_design_writes_tiers_that_reproduce_the_model(tmp_path) -> None:
    from codesign import api
    from codesign.report.export import export_trial
    from codesign.split.onnx_export import run_tiers
    from codesign.storage.run_dir import RunDir

    forced = {**SPLIT, "mode": "searched", "bits": 8}
    summary = api.run(tiny_config(split=forced, objectives=OBJECTIVES, budget={"trials": 3}), out=tmp_path / "r")
    run = RunDir.open(summary.run_dir)
    record = next(r for r in run.trials() if r.state == "COMPLETE" and r.feasible
                  and -1 < r.metrics["split_cut"]["cut"] < r.metrics["split_cut"]["layers"] - 1)
    out = tmp_path / "bundle"
    export_trial(run, record.number, out)
    assert (out / "device.onnx").is_file() and (out / "mec.onnx").is_file() and (out / "split.json").is_file()
    import onnxruntime as ort

    whole = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).standard_normal(whole.get_inputs()[0].shape).astype(np.float32)
    (expected,) = whole.run(None, {whole.get_inputs()[0].name: x})
    outputs, received = run_tiers([out / "device.onnx", out / "mec.onnx"], x)
    np.testing.assert_allclose(outputs[0], expected, atol=1e-5, rtol=1e-5)
    assert received["mec"] // 4 == record.metrics["uplink_bytes"]  # float32 on the wire here, 8 bit in the model
