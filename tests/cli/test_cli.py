"""The command line: every subcommand, its JSON output, and one-line errors with exit code 2."""
import json
import subprocess
import sys

import pytest
import yaml

from tests.conftest import TINY_SPACE, tiny_config

ARCH = "res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32"
SPACE_ARGS = ["--space", "mbconv"] + [f"--space-option={k}={json.dumps(v)}" for k, v in TINY_SPACE.items()]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    from codesign.cli.main import main

    tmp = tmp_path_factory.mktemp("cli")
    path = tmp / "exp.yaml"
    path.write_text(yaml.safe_dump(sort_keys=False, data=tiny_config()))
    out = tmp / "run"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    return out


def test_run_prints_front_and_outputs(tmp_path, cli):
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(sort_keys=False, data=tiny_config(budget={"trials": 4})))
    code, out, err = cli("run", str(path), "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert "Pareto front" in out and "trial" in out
    progress = out.splitlines()[0]  # the progress bar's final state: trials, rate, failures, front, HV
    assert "4/4" in progress and "trials/s" in progress and "front" in progress and "HV" in progress
    assert f"outputs in {tmp_path / 'r'}" in out.replace("\n", "")
    assert (tmp_path / "r" / "front.json").is_file() and (tmp_path / "r" / "study.journal").is_file()


def test_run_refuses_an_existing_run_dir(finished_run, cli, tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(sort_keys=False, data=tiny_config()))
    code, _, err = cli("run", str(path), "--out", str(finished_run))
    assert code == 2 and "already holds a run" in err and "--resume" in err


def test_resume_of_a_finished_run_adds_nothing(finished_run, cli):
    code, _, err = cli("run", "--resume", str(finished_run), "--quiet")
    assert code == 0, err
    from codesign.storage.run_dir import RunDir

    assert len(RunDir(finished_run).trials()) == 12


def test_front_table_and_json(finished_run, cli):
    code, out, _ = cli("front", str(finished_run))
    assert code == 0
    assert "proxy" in out and "latency [ms]" in out and "energy [mJ]" in out and "area [mm2]" in out
    code, out, _ = cli("front", str(finished_run), "--json")
    rows = json.loads(out)
    assert rows and {"trial", "proxy", "latency_s", "energy_j", "parts", "metrics"} <= set(rows[0])
    assert {"arch", "hw"} <= set(rows[0]["parts"])
    assert all(row["metrics"]["area_mm2"] <= 1.0 for row in rows)


def test_status(finished_run, cli):
    code, out, _ = cli("status", str(finished_run), "--json")
    status = json.loads(out)
    assert code == 0 and status["state"] == "complete"
    assert status["complete"] + status["failed"] == 12 and status["front_size"] >= 1
    assert 0 < status["hypervolume"] <= 1


def test_export_then_evaluate_reproduces_metrics(finished_run, cli, tmp_path):
    trial = json.loads(cli("front", str(finished_run), "--json")[1])[0]["trial"]
    out = tmp_path / "bundle"
    code, text, err = cli("export", str(finished_run), "--trial", str(trial), "--out", str(out))
    assert code == 0, err
    for name in ("bundle.json", "parts.json", "arch.json", "model.py", "model.onnx", "accelerator.yaml", "layers.csv",
                 "metrics.json"):
        assert (out / name).is_file(), name
    stored = json.loads((out / "metrics.json").read_text())
    front_metrics = json.loads(cli("front", str(finished_run), "--json")[1])[0]["metrics"]
    assert stored == front_metrics
    code, text, err = cli("evaluate", str(out), "--json")
    assert code == 0, err
    result = json.loads(text)
    assert {k: result[k] for k in stored} == stored
    header = (out / "layers.csv").read_text().splitlines()[0]
    assert header.startswith("name,op,macs,cycles")
    code, text, _ = cli("evaluate", str(out))
    assert "metrics match metrics.json" in text


def test_exported_onnx_matches_torch(finished_run, cli, tmp_path):
    import numpy as np
    import onnxruntime as ort
    import torch

    from codesign.report.export import load_bundle

    trial = json.loads(cli("front", str(finished_run), "--json")[1])[0]["trial"]
    out = tmp_path / "b"
    cli("export", str(finished_run), "--trial", str(trial), "--out", str(out))
    pipeline, candidate, _ = load_bundle(out)
    model = pipeline.subspaces["arch"].space.build(candidate.part("arch"), seed=pipeline.stage("network").options.seed).eval()
    x = torch.randn(1, 3, 32, 32)
    expected = model(x).detach().numpy()
    got = ort.InferenceSession(str(out / "model.onnx")).run(None, {"input": x.numpy()})[0]
    assert np.allclose(got, expected, atol=1e-4)


def test_export_of_a_missing_trial(finished_run, cli, tmp_path):
    code, _, err = cli("export", str(finished_run), "--trial", "999", "--out", str(tmp_path / "x"))
    assert code == 2 and "has no trial 999" in err


def test_evaluate_one_design_json(cli):
    code, out, err = cli("evaluate", *SPACE_ARGS, "--arch", ARCH, "--accelerator", "edge_tpu", "--set", "rows=16",
                         "--set", "dataflow=os", "--json")
    assert code == 0, err
    result = json.loads(out)
    for key in ("latency_s", "energy_j", "area_mm2", "cycles", "macs", "layers", "power_w", "edp_js"):
        assert key in result
    assert result["accelerator"]["params"]["rows"] == 16 and result["accelerator"]["params"]["dataflow"] == "os"
    assert sum(layer["cycles"] for layer in result["layers"]) == pytest.approx(result["cycles"])
    assert sum(layer["macs"] for layer in result["layers"]) == result["macs"]


def test_evaluate_arch_file_prints_json_lines(cli, tmp_path):
    other = ARCH.replace("k5", "k3")
    path = tmp_path / "archs.txt"
    path.write_text(f"{ARCH}\n# a comment\n{other}\n")
    code, out, err = cli("evaluate", *SPACE_ARGS, "--arch-file", str(path), "--accelerator", "tpu_v1", "--no-layers")
    assert code == 0, err
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert [line["arch"] for line in lines] == [ARCH, other]
    assert lines[0]["macs"] > lines[1]["macs"]


def test_evaluate_arch_file_names_the_real_line_and_scores_nothing_before_it(cli, tmp_path):
    path = tmp_path / "archs.txt"
    path.write_text(f"{ARCH}\n\n  # an indented comment\nnot-a-key\n")
    code, out, err = cli("evaluate", *SPACE_ARGS, "--arch-file", str(path), "--accelerator", "tpu_v1", "--no-layers")
    assert code == 2 and out == ""
    assert f"{path}:4:" in err and len(err.strip().splitlines()) == 1


def test_evaluate_with_proxy_and_workload_file(cli, tmp_path):
    code, out, _ = cli("evaluate", *SPACE_ARGS, "--arch", ARCH, "--accelerator", "tpu_v1", "--proxy", "naswot",
                       "--json", "--no-layers")
    assert code == 0 and json.loads(out)["proxy"] is not None
    path = tmp_path / "layers.yaml"
    path.write_text("name: two\nlayers:\n- {name: c1, op: conv, K: 64, C: 3, P: 112, Q: 112, R: 7, S: 7, H: 224, W: 224, "
                    "stride_h: 2, stride_w: 2}\n- {name: fc, op: linear, K: 1000, C: 64}\n")
    code, out, err = cli("evaluate", "--workload", str(path), "--accelerator", "tpu_v1", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["macs"] == 64 * 3 * 49 * 112 * 112 + 64000 and len(result["layers"]) == 2


def test_evaluate_bad_hardware_is_infeasible_not_a_crash(cli):
    code, out, _ = cli("evaluate", *SPACE_ARGS, "--arch", ARCH, "--accelerator", "tpu_v1", "--set", "rows=0",
                       "--set", "dram_gbps=-1", "--json")
    result = json.loads(out)
    assert code == 0 and result["feasible"] is False
    assert "rows must be >= 1, got 0" in result["infeasible_reasons"]
    assert result["latency_s"] is None


@pytest.mark.parametrize("argv,needle", [
    (["evaluate", "--space", "mbconv", "--arch", "nope", "--accelerator", "tpu_v1"], "arch: 'nope' is not an mbconv key"),
    (["evaluate", "--space", "mbconv", "--arch", ARCH, "--accelerator", "tpu_v9"], "accelerator: 'tpu_v9' is neither a preset"),
    (["evaluate", "--space", "mbconv", "--arch", ARCH, "--accelerator", "tpu_v1", "--set", "colour=red"], "colour: unknown parameter"),
    (["evaluate", "--space", "nospace", "--arch", ARCH, "--accelerator", "tpu_v1"], "unknown search space 'nospace'"),
    (["evaluate", "--arch", ARCH, "--accelerator", "tpu_v1"], "--space: required"),
    (["evaluate", "--space", "mbconv", "--arch", ARCH], "--accelerator: required"),
    (["front", "/nonexistent/run"], "/nonexistent/run: run directory not found"),
    (["run", "/nonexistent/exp.yaml"], "/nonexistent/exp.yaml: experiment file not found"),
    (["run"], "give an experiment file, or --resume RUN_DIR"),
])
def test_user_errors_are_one_line_exit_2(cli, argv, needle):
    code, out, err = cli(*argv)
    assert code == 2
    assert needle in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_invalid_config_via_subprocess_has_no_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(sort_keys=False, data=tiny_config(strategy={"name": "nsga3"})))
    proc = subprocess.run([sys.executable, "-m", "codesign.cli.main", "run", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("codesign: error: strategy.name: unknown strategy 'nsga3' "
                                   "(known: grid, nested, nsga2, qmc, random, tpe)")


def test_listings(cli):
    code, out, _ = cli("spaces", "--json")
    spaces = {s["name"]: s for s in json.loads(out)}
    assert code == 0 and "mbconv" in spaces and "k1" in spaces["mbconv"]["dimensions"]
    code, out, _ = cli("accelerators", "--json")
    data = json.loads(out)
    assert {"systolic"} <= {t["name"] for t in data["templates"]}
    assert {"tpu_v1", "edge_tpu"} <= {p["name"] for p in data["presets"]}
    code, out, _ = cli("accelerators")
    assert "ifmap_sram_kib" in out and "tpu_v1" in out
    code, out, _ = cli("spaces")
    assert "mbconv" in out
