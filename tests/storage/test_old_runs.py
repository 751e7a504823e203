"""Run directories written before sub-spaces and stages (issue 9) still resume, list, front and
export (fixtures: tests/data/runs_before_issue9, see tests/data/README.md)."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from codesign.report.export import export_trial, load_bundle, reproduces
from codesign.search.experiment import Experiment
from codesign.storage.run_dir import RunDir
from tests.conftest import DATA

OLD = DATA / "runs_before_issue9"


def _copy(tmp_path, name, budget=None):
    path = tmp_path / name
    shutil.copytree(OLD / name, path)
    if budget is not None:
        config = yaml.safe_load((path / "config.yaml").read_text())
        config["budget"]["trials"] = budget
        (path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_old_trials_read_as_parts():
    run = RunDir.open(OLD / "run_synthetic")
    experiment = Experiment.build(run.config())
    records = [r for r in run.trials() if r.state == "COMPLETE"]
    assert records and all("parts" not in r.result for r in records)  # the old layout
    for r in records:
        candidate = experiment.candidate_of(r)
        assert candidate.part("arch").key == r.result["arch"]["key"]
        hw, stored = candidate.part("hw"), r.result["hardware"]
        # Parameters added since (technology, acc_bits, arrays, ...) take their defaults.
        defaults = type(hw)().to_params()
        assert hw.to_params() == {**defaults, **stored["params"]}
        assert {k: v for k, v in hw.to_dict().items() if k != "params"} == \
            {k: v for k, v in stored.items() if k != "params"}
        assert candidate == experiment.candidate_from_params(r.params)


def test_old_synthetic_run_resumes_to_a_larger_budget(tmp_path, cli):
    path = _copy(tmp_path, "run_synthetic", budget=10)
    code, _, err = cli("run", "--resume", str(path), "--quiet")
    assert code == 0, err
    records = RunDir.open(path).trials()
    assert len(records) == 10
    new = [r for r in records if "parts" in r.result]
    assert len(new) == 4 and set(new[0].result["parts"]) == {"arch", "hw"}
    code, out, err = cli("front", str(path), "--json")
    assert code == 0, err
    assert all({"arch", "hw"} <= set(row["parts"]) for row in json.loads(out))
    code, out, err = cli("status", str(path), "--json")
    assert code == 0 and json.loads(out)["finished"] == 10


@pytest.mark.parametrize("name", ["run_synthetic", "run_model"])
def test_old_run_exports_and_the_bundle_reproduces(tmp_path, name):
    run = RunDir.open(_copy(tmp_path, name))
    record = next(r for r in run.trials() if r.state == "COMPLETE")
    metrics = export_trial(run, record.number, tmp_path / "bundle", onnx=False)
    assert metrics["latency_s"] == pytest.approx(record.metrics["latency_s"], rel=1e-12)
    pipeline, candidate, stored = load_bundle(tmp_path / "bundle")
    assert reproduces(pipeline.evaluate(candidate), stored)


def test_old_bundle_re_scores_and_names_what_the_pricing_layer_changed(cli):
    # The bundle was priced with the tables before the shared pricing layer (issue 12): latency
    # (cycles) reproduces, energy and area do not, and the command says which metrics differ.
    code, out, err = cli("evaluate", str(OLD / "bundle_model"), "--json", "--no-layers")
    stored = json.loads((OLD / "bundle_model" / "metrics.json").read_text())
    assert code == 1
    assert json.loads(out)["latency_s"] == stored["latency_s"]
    named = err.strip().splitlines()[-1]
    assert "energy_j" in named and "area_mm2" in named and "latency_s" not in named
