"""``codesign split`` and ``codesign links``: rows per cut, the best cuts, one-line errors (exit 2)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import TINY_SPACE

ARCH = "res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32"
DESIGN = ["--space", "mbconv", *[f"--space-option={k}={json.dumps(v)}" for k, v in TINY_SPACE.items()],
          "--arch", ARCH, "--accelerator", "edge_tpu"]


def _split(cli, *extra: str) -> dict:
    code, out, err = cli("split", *DESIGN, *extra, "--json")
    assert code == 0, err
    return json.loads(out)


def test_links_lists_presets_with_sources_and_server_tiers(cli) -> None:
    code, out, _ = cli("links", "--json")
    assert code == 0
    data = json.loads(out)
    names = {link["name"] for link in data["links"]}
    assert {"lte", "5g_sub6", "5g_mmwave", "wifi", "fiber_backhaul", "3gpp_split_image"} <= names
    assert all(link["sources"] for link in data["links"])
    tiers = {s["name"]: s["tier"] for s in data["server_tiers"]}
    assert tiers["nvdla_large"] == "mec" and tiers["tpu_v1"] == "cloud"
    code, out, _ = cli("links")
    assert code == 0 and "ASSUMPTION" in out and "source: " in out


def test_one_row_per_cut_and_the_best_cuts(cli) -> None:
    data = _split(cli, "--mec", "nvdla_large", "--link", "5g_sub6", "--period-ms", "33")
    rows = data["rows"]
    assert [r["cut"] for r in rows] == list(range(-1, data["layers"]))
    for key in ("cut", "cut_layer", "tensors", "uplink_bytes", "device_latency_s", "transfer_latency_s",
                "remote_latency_s", "latency_s", "device_energy_j"):
        assert key in rows[0]
    assert rows[0]["cut_layer"] == "input" and rows[0]["uplink_bytes"] == 3 * 32 * 32  # 8-bit image
    assert rows[-1]["uplink_bytes"] == 0 and rows[-1]["transfer_latency_s"] == 0
    for r in rows:
        assert r["latency_s"] == pytest.approx(r["device_latency_s"] + r["transfer_latency_s"] + r["remote_latency_s"])
    by_cut = {r["cut"]: r for r in rows}
    fastest = min(rows, key=lambda r: r["latency_s"])
    assert by_cut[data["best"]["latency"]["cut"]]["latency_s"] == fastest["latency_s"]
    frugal = min(rows, key=lambda r: r["device_energy_j"])
    assert by_cut[data["best"]["energy"]["cut"]]["device_energy_j"] == frugal["device_energy_j"]


def test_wider_activations_send_proportionally_more(cli) -> None:
    at8 = _split(cli, "--mec", "nvdla_large", "--link", "lte")["rows"]
    at16 = _split(cli, "--mec", "nvdla_large", "--link", "lte", "--bits", "16")["rows"]
    assert all(b["uplink_bytes"] == 2 * a["uplink_bytes"] for a, b in zip(at8, at16, strict=True))
    assert any(b["transfer_latency_s"] > a["transfer_latency_s"] for a, b in zip(at8, at16, strict=True))


def test_three_tiers_give_a_mec_cloud_cut_per_row(cli) -> None:
    data = _split(cli, "--mec", "nvdla_large", "--cloud", "tpu_v1", "--link", "5g_sub6",
                  "--backhaul", "fiber_backhaul", "--budget-ms", "20")
    rows = data["rows"]
    assert all(r["cut"] <= r["cut2"] for r in rows) and "required_uplink_bps" in rows[0]
    assert data["best"]["latency"]["cut2"] >= data["best"]["latency"]["cut"]


def test_the_text_table_marks_the_best_cuts(cli) -> None:
    code, out, _ = cli("split", *DESIGN, "--mec", "nvdla_large", "--link", "wifi", "--link-set", "uplink_mbps=2")
    assert code == 0 and "best for latency: cut" in out and "best for energy: cut" in out


@pytest.mark.parametrize(("extra", "field"), [
    (["--mec", "nvdla_large", "--link", "6g"], "--link"),
    (["--mec", "nvdla_large"], "--link"),
    (["--link", "lte"], "--link"),
    (["--mec", "nvdla_large", "--link", "lte", "--backhaul", "fiber_backhaul"], "--backhaul"),
    (["--cloud", "tpu_v1", "--link", "lte"], "--backhaul"),
    (["--mec", "warp_drive", "--link", "lte"], "--mec"),
    (["--mec", "nvdla_large", "--link", "lte", "--link-set", "uplink_mbps=0"], "--link.uplink_mbps"),
    (["--mec", "nvdla_large", "--link", "lte", "--link-set", "downlink_mbps=-3"], "--link.downlink_mbps"),
    (["--mec", "nvdla_large", "--link", "lte", "--bits", "0"], "--bits"),
    (["--mec", "nvdla_large", "--link", "lte", "--cut", "999"], "--cut"),
    (["--cut", "3"], "--mec"),
])
def test_bad_input_is_one_line_naming_the_field(cli, extra: list[str], field: str) -> None:
    code, out, err = cli("split", *DESIGN, *extra)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"error: {field}" in lines[0], err
