"""The CLI with the spatial template: listing, scoring a layers file or an ONNX model, overrides,
bad hardware."""
import json

import pytest

from codesign.hardware.presets import load_accelerator
from tests.conftest import DATA

LAYERS = """\
name: tiny
input_shape: [1, 3, 32, 32]
layers:
  - {name: conv1, op: conv, K: 16, C: 3, P: 16, Q: 16, R: 3, S: 3, H: 32, W: 32, stride_h: 2, stride_w: 2, post_ops: 1}
  - {name: dw, op: conv, K: 16, C: 16, P: 16, Q: 16, R: 3, S: 3, H: 18, W: 18, groups: 16}
  - {name: pool, op: pool, K: 16, C: 16, groups: 16, R: 16, S: 16, H: 16, W: 16, ops_per_output: 256}
  - {name: fc, op: linear, K: 10, C: 16}
"""


@pytest.fixture
def layers_file(tmp_path):
    path = tmp_path / "layers.yaml"
    path.write_text(LAYERS)
    return str(path)


def test_accelerators_lists_the_spatial_template_and_its_presets(cli):
    code, out, _ = cli("accelerators", "--json")
    assert code == 0
    data = json.loads(out)
    spatial = next(t for t in data["templates"] if t["name"] == "spatial")
    names = {p["name"] for p in spatial["parameters"]}
    assert {"rows", "cols", "rf_bytes", "glb_kib", "dataflow", "noc_gbps", "dram_gbps", "clock_mhz", "bits",
            "tech_nm"} <= names
    assert next(p for p in spatial["parameters"] if p["name"] == "dataflow")["choices"] == ["rs", "ws", "os"]
    presets = {p["name"]: p for p in data["presets"]}
    assert {"eyeriss", "shidiannao", "nvdla_small", "tpu_v1", "edge_tpu"} <= set(presets)
    eyeriss = load_accelerator("eyeriss")
    assert (presets["eyeriss"]["params"]["rows"], presets["eyeriss"]["params"]["cols"]) == (eyeriss.rows, eyeriss.cols)
    code, text, _ = cli("accelerators")
    assert "template spatial" in text and "rf_bytes" in text and "shidiannao (spatial)" in text


def test_evaluate_a_layers_file_on_eyeriss(cli, layers_file):
    code, out, _ = cli("evaluate", "--workload", layers_file, "--accelerator", "eyeriss", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["feasible"] and result["accelerator"]["template"] == "spatial"
    assert [row["name"] for row in result["layers"]] == ["conv1", "dw", "pool", "fc"]
    assert result["layers"][0]["mapping"].startswith("rs ")
    assert sum(row["cycles"] for row in result["layers"]) == pytest.approx(result["cycles"])
    assert set(result["energy_breakdown_j"]) == {"mac", "rf", "noc", "buffer", "dram", "vector", "leakage", "clock"}
    code, out, _ = cli("evaluate", "--workload", layers_file, "--accelerator", "eyeriss", "--set", "dataflow=os",
                       "--set", "rows=8", "--json", "--no-layers")
    result = json.loads(out)
    assert result["accelerator"]["params"]["dataflow"] == "os" and "layers" not in result and result["feasible"]


def test_evaluate_an_onnx_model(cli):
    code, out, _ = cli("evaluate", "--workload", str(DATA / "zigzag" / "workload" / "resnet18.onnx"),
                       "--accelerator", "nvdla_small", "--json", "--no-layers")
    assert code == 0
    result = json.loads(out)
    assert result["feasible"] and result["macs"] == 1_814_073_344


@pytest.mark.parametrize("setting,needle", [
    ("rows=0", "rows must be >= 1"),
    ("noc_gbps=0", "noc_gbps must be > 0"),
    ("dram_gbps=-1", "dram_gbps must be > 0"),
    ("dataflow=nlr", "unknown dataflow 'nlr'"),
    ("rf_bytes=4", "register file"),
    ("glb_kib=0.01", "global buffer"),
    ("spatial_dims=KQX", "spatial_dims: unknown loop dimension(s) 'X'"),
])
def test_bad_hardware_is_reported_not_crashed(cli, layers_file, setting, needle):
    code, out, _ = cli("evaluate", "--workload", layers_file, "--accelerator", "eyeriss", "--set", setting, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["feasible"] is False and result["latency_s"] is None and result["energy_j"] is None
    assert any(needle in reason for reason in result["infeasible_reasons"])
    code, text, _ = cli("evaluate", "--workload", layers_file, "--accelerator", "eyeriss", "--set", setting)
    assert code == 0 and "no" in text


def test_wrong_type_is_a_one_line_error(cli, layers_file):
    code, _, err = cli("evaluate", "--workload", layers_file, "--accelerator", "eyeriss", "--set", "rf_bytes=lots")
    assert code == 2 and err.strip() == "codesign: error: --set rf_bytes: must be a number, got 'lots'"
