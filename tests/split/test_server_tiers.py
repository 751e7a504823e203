"""Server-tier presets: marked with their tier, able to run a network, and faster than the
device-class design of the same family."""
from __future__ import annotations

import torch

from codesign.costmodel.base import cost_model_for
from codesign.hardware.presets import load_accelerator, presets
from codesign.workload.extract import extract_workload


def test_server_presets_are_marked_with_their_tier() -> None:
    tiers = {name: p.tier for name, p in presets().items()}
    assert tiers["nvdla_large"] == "mec" and tiers["tpu_v1"] == tiers["tpu_v4"] == "cloud"
    assert tiers["nvdla_small"] == "device" and tiers["edge_tpu"] == "device"
    assert all(p.sources for p in presets().values() if p.tier != "device")


def test_the_mec_preset_runs_a_network_faster_than_the_device_class_nvdla() -> None:
    import timm

    model = timm.create_model("resnet18", num_classes=10)
    with torch.random.fork_rng():
        workload = extract_workload(model, (3, 64, 64))
    latency = {}
    for name in ("nvdla_small", "nvdla_large", "tpu_v1"):
        hw = load_accelerator(name)
        cost = cost_model_for(hw).evaluate(workload, hw)
        assert cost.feasible, (name, cost.infeasible_reasons)
        latency[name] = cost.latency_s
    assert latency["nvdla_large"] < latency["nvdla_small"] / 4
