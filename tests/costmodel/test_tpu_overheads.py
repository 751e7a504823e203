"""The real-TPU terms of the systolic model (codesign/costmodel/tpu_overheads.py): several arrays,
a fixed time per operation, parameter caching and the host link."""
import numpy as np
import pytest

from accelerators.systolic import SystolicArray
from codesign.costmodel.base import cost_model_for
from codesign.workload import Layer, Workload

GEMM = Workload("g", (Layer(name="g", op="linear", P=512, C=512, K=512),))  # 4 x 4 folds on 128 x 128


def net() -> Workload:
    return Workload("n", (
        Layer(name="c1", op="conv", K=64, C=64, P=28, Q=28, R=3, S=3),       # 36,864 weights
        Layer(name="c2", op="conv", K=64, C=64, P=28, Q=28, R=3, S=3),
        Layer(name="add", op="eltwise", K=64, C=64, P=28, Q=28, operands=2),
        Layer(name="fc", op="linear", K=1000, C=64),                           # 64,000 weights
    ))


def run(workload, **params):
    hw = SystolicArray(**{"rows": 128, "cols": 128, **params})
    return cost_model_for(hw, goal="latency").evaluate(workload, hw)


def test_arrays_share_a_layers_folds():
    one, four, five = (run(GEMM, arrays=n).compute_cycles[0] for n in (1, 4, 5))
    assert one + 1 == pytest.approx(4 * (four + 1))          # 16 folds: 4 rounds of 4
    assert five == four                                       # 16 folds on 5 arrays: still 4 rounds
    areas = [run(GEMM, arrays=n).area_mm2_breakdown["pe_array"] for n in (1, 4)]
    assert areas[1] == pytest.approx(4 * areas[0])             # four arrays are four times the MACs


def test_op_overhead_is_paid_by_every_layer():
    bare, slow = run(net()), run(net(), op_overhead_us=2.0, clock_mhz=500)
    extra = slow.cycles - bare.cycles
    assert np.allclose(extra, 1000.0)                         # 2 us at 500 MHz, MAC and vector layers alike
    assert slow.compute_cycles.tolist() == bare.compute_cycles.tolist()


def test_cached_parameters_leave_dram():
    bare = run(net(), dram_gbps=1.0)
    cached = run(net(), dram_gbps=1.0, param_cache_kib=80)   # c1 + c2 (72 KiB) fit, fc does not
    w_bare, w_cached = bare.traffic_bytes["dram.weights"], cached.traffic_bytes["dram.weights"]
    assert w_cached[0] == w_cached[1] == 0 and w_bare[0] > 0
    assert w_cached[3] == w_bare[3] > 0
    assert cached.total_cycles < bare.total_cycles


def test_uncached_parameters_cross_the_host_link():
    everything = run(net(), param_cache_kib=1024, host_gbps=0.5)
    streamed = run(net(), param_cache_kib=80, host_gbps=0.5)
    assert streamed.traffic_bytes["dram.weights"].sum() == 0  # the host link carries them, not DRAM
    # fc's 64,000 int8 weights at 0.5 GB/s and 500 MHz: 64,000 cycles more in that layer only
    assert streamed.cycles[3] - everything.cycles[3] == pytest.approx(64_000)
    assert streamed.cycles[:3].tolist() == everything.cycles[:3].tolist()


def test_host_link_carries_the_input_and_output():
    linked, bare = run(net(), host_gbps=1.0, param_cache_kib=1024), run(net(), param_cache_kib=1024)
    extra = linked.cycles - bare.cycles
    assert extra[0] == pytest.approx(64 * 30 * 30 * 0.5)      # c1's 30x30x64 input, 2 bytes/ns at 500 MHz
    assert extra[3] == pytest.approx(1000 * 0.5)
    assert extra[1] == extra[2] == 0


@pytest.mark.parametrize("field", ["op_overhead_us", "param_cache_kib", "host_gbps"])
def test_negative_overheads_are_rejected(field):
    cost = run(net(), **{field: -1.0})
    assert not cost.feasible and any(field in p for p in cost.hardware_problems)
