"""Properties of the systolic cost model: totals add up, mapping goals, infeasibility, traffic."""
import json
import math

import numpy as np
import pytest

from accelerators.systolic import SystolicArray
from codesign.costmodel.base import cost_model_for
from codesign.costmodel.result import ENERGY_COMPONENTS
from codesign.workload import Layer, Workload


def net() -> Workload:
    return Workload("n", (
        Layer(name="c1", op="conv", K=32, C=3, P=56, Q=56, R=3, S=3, H=112, W=112, stride_h=2, stride_w=2, post_ops=1),
        Layer(name="dw", op="conv", K=32, C=32, P=56, Q=56, R=3, S=3, H=58, W=58, groups=32),
        Layer(name="pw", op="conv", K=64, C=32, P=56, Q=56),
        Layer(name="add", op="eltwise", K=64, C=64, P=56, Q=56, operands=2),
        Layer(name="pool", op="pool", K=64, C=64, P=1, Q=1, R=56, S=56, H=56, W=56, groups=64, ops_per_output=3136),
        Layer(name="fc", op="linear", K=10, C=64),
    ))


def evaluate(goal="edp", **params):
    hw = SystolicArray(**params)
    return cost_model_for(hw, goal=goal).evaluate(net(), hw)


def test_totals_add_up_from_layers():
    cost = evaluate()
    layers = cost.layers()
    assert cost.feasible
    assert sum(lc.cycles for lc in layers) == pytest.approx(cost.total_cycles)
    assert sum(lc.total_energy_j for lc in layers) == pytest.approx(cost.energy_j)
    assert set(cost.energy_by_component_j) == set(ENERGY_COMPONENTS)
    assert all(v > 0 for k, v in cost.energy_by_component_j.items() if k != "clock")
    assert cost.macs == net().macs
    t = cost.traffic_totals_bytes
    assert t["dram.read"] + t["dram.write"] == pytest.approx(t["dram.weights"] + t["dram.ifmap"] + t["dram.psum"] + t["dram.ofmap"])


def test_metrics_are_json_clean():
    import json

    metrics = evaluate().metrics()
    json.dumps(metrics, allow_nan=False)
    for key in ("latency_s", "energy_j", "area_mm2", "cycles", "macs", "power_w", "edp_js"):
        assert metrics[key] > 0


def test_goal_changes_the_chosen_tiling():
    small = dict(rows=16, cols=16, ifmap_sram_kib=4, filter_sram_kib=4, ofmap_sram_kib=2)
    fast, frugal = evaluate("latency", **small), evaluate("energy", **small)
    assert fast.total_cycles <= frugal.total_cycles
    assert frugal.energy_j <= fast.energy_j


def test_bigger_srams_cut_dram_traffic():
    tight = evaluate(ifmap_sram_kib=4, filter_sram_kib=4, ofmap_sram_kib=2)
    roomy = evaluate(ifmap_sram_kib=1024, filter_sram_kib=1024, ofmap_sram_kib=1024)
    dram = lambda c: c.traffic_totals_bytes["dram.read"] + c.traffic_totals_bytes["dram.write"]  # noqa: E731
    assert dram(roomy) < dram(tight)
    assert roomy.area_mm2 > tight.area_mm2


def test_activations_stay_on_chip_when_they_fit():
    cost = evaluate(ifmap_sram_kib=1024, filter_sram_kib=1024, ofmap_sram_kib=1024)
    layers = cost.layers()
    assert "act from DRAM" in layers[0].mapping  # the network input always comes from DRAM
    assert "act on-chip" in layers[2].mapping
    assert cost.traffic_bytes["dram.ifmap"][2] == 0


def test_depthwise_groups_are_packed():
    cost = evaluate(rows=32, cols=32, dataflow="ws")
    assert "(3 packed)" in cost.mapping[1]
    dw = net().layers[1]
    # 32 groups, 3 per fold -> 11 passes of one 9x1 fold each, streaming 56*56 pixels.
    assert cost.compute_cycles[1] == 11 * (2 * 32 + 32 - 2 + 56 * 56) - 1
    assert dw.macs == 32 * 56 * 56 * 9


def test_bandwidth_bound_layer_stalls():
    slow = evaluate(dram_gbps=0.1)
    fast = evaluate(dram_gbps=1000)
    assert slow.total_cycles > fast.total_cycles
    assert np.all(slow.cycles >= slow.compute_cycles)
    assert any(lc.stall_cycles > 0 for lc in slow.layers())


@pytest.mark.parametrize("params,needle", [
    ({"rows": 0}, "rows must be >= 1"),
    ({"dram_gbps": 0.0}, "dram_gbps must be > 0"),
    ({"dram_gbps": -1.0}, "dram_gbps must be > 0"),
    ({"dataflow": "xs"}, "unknown dataflow 'xs'"),
    ({"clock_mhz": 0.0}, "clock_mhz must be > 0"),
    ({"acc_bits": 65}, "acc_bits must be <= 64"),
    ({"tech_nm": 3.0}, "tech_nm must be within"),
])
def test_bad_hardware_is_infeasible_with_reason(params, needle):
    cost = evaluate(**params)
    assert not cost.feasible
    assert any(needle in reason for reason in cost.infeasible_reasons)
    metrics = cost.metrics()
    assert metrics["latency_s"] is None and metrics["energy_j"] is None
    assert math.isnan(cost.total_cycles)
    json.dumps(metrics, allow_nan=False)  # strict JSON: no NaN slips through


def test_sram_too_small_for_one_tile_is_infeasible():
    cost = evaluate(rows=64, cols=64, filter_sram_kib=1)
    assert not cost.feasible
    assert "filter SRAM (1 KiB) is smaller than one ws tile (4 KiB)" in cost.infeasible_reasons[0]
    # One line per distinct reason, naming the layers it stops.
    assert cost.infeasible_reasons == ["c1, dw, pw and 1 more: filter SRAM (1 KiB) is smaller than one ws tile (4 KiB)"]


def test_cost_model_rejects_other_templates():
    from dataclasses import dataclass

    from codesign.hardware.config import AcceleratorConfig

    @dataclass(frozen=True)
    class Other(AcceleratorConfig):
        template = "other"

    hw = Other()
    cost = cost_model_for(SystolicArray()).evaluate(net(), hw)
    assert not cost.feasible and "does not model template 'other'" in cost.infeasible_reasons[0]
