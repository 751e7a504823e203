"""Properties of the spatial (Eyeriss-like) cost model: totals add up, every dataflow maps every
operator kind, goals change the choice, buffers and bandwidth matter, bad hardware is infeasible
with its reason."""
import json
import math

import numpy as np
import pytest

from accelerators.spatial import SpatialArray
from codesign.costmodel.base import cost_model_for
from codesign.costmodel.fixed_mapping import FixedMapping
from codesign.costmodel.result import ENERGY_COMPONENTS
from codesign.costmodel.spatial import SpatialCostModel, layer_shape
from codesign.errors import ConfigError
from codesign.workload import Layer, Workload


def net(batch: int = 1) -> Workload:
    return Workload("n", (
        Layer(name="c1", op="conv", N=batch, K=32, C=3, P=56, Q=56, R=3, S=3, H=113, W=113, stride_h=2,
              stride_w=2, post_ops=1),
        Layer(name="dw", op="conv", N=batch, K=32, C=32, P=56, Q=56, R=3, S=3, H=58, W=58, groups=32),
        Layer(name="pw", op="conv", N=batch, K=64, C=32, P=56, Q=56),
        Layer(name="dil", op="conv", N=batch, K=64, C=64, P=28, Q=28, R=3, S=3, H=32, W=32, dilation_h=2,
              dilation_w=2, stride_h=1, stride_w=1),
        Layer(name="add", op="eltwise", N=batch, K=64, C=64, P=28, Q=28, operands=2),
        Layer(name="pool", op="pool", N=batch, K=64, C=64, P=1, Q=1, R=28, S=28, H=28, W=28, groups=64,
              ops_per_output=784),
        Layer(name="fc", op="linear", N=batch, K=10, C=64),
        Layer(name="attn", op="matmul", N=2 * batch, P=16, C=8, K=16),
    ))


def evaluate(goal="edp", workload=None, **params):
    hw = SpatialArray(**params)
    return cost_model_for(hw, goal=goal).evaluate(workload or net(), hw)


@pytest.mark.parametrize("dataflow", ["rs", "ws", "os"])
def test_totals_add_up_and_every_layer_maps(dataflow):
    cost = evaluate(dataflow=dataflow)
    assert cost.feasible, cost.infeasible_reasons
    layers = cost.layers()
    assert sum(lc.cycles for lc in layers) == pytest.approx(cost.total_cycles)
    assert sum(lc.total_energy_j for lc in layers) == pytest.approx(cost.energy_j)
    assert set(cost.energy_by_component_j) == set(ENERGY_COMPONENTS)
    assert all(v > 0 for k, v in cost.energy_by_component_j.items() if k != "clock")
    assert cost.energy_by_component_j["clock"] == 0.0          # not modelled unless clock_share > 0
    t = cost.traffic_totals_bytes
    assert t["dram.read"] + t["dram.write"] == pytest.approx(t["dram.weights"] + t["dram.ifmap"] + t["dram.psum"]
                                                             + t["dram.ofmap"])
    for lc, layer in zip(layers, net().layers, strict=True):
        assert lc.cycles >= lc.compute_cycles > 0
        if layer.is_mac:
            assert 0 < lc.utilization <= 1.0 + 1e-9
            assert lc.compute_cycles >= layer.macs / (12 * 14)
            assert lc.mapping.startswith(dataflow)
            assert lc.traffic_bytes["dram.weights"] > 0 and lc.energy_j["rf"] > 0
        else:
            assert lc.mapping.startswith("vector")
    json.dumps(cost.metrics(), allow_nan=False)


def test_row_stationary_maps_filter_rows_on_pe_rows():
    cost = evaluate(dataflow="rs")
    # 3x3 filters: sets of 3 PE rows; the 12-row array holds four of them.
    text = cost.mapping[0]
    assert text.startswith("rs set 3x")
    i = [layer.name for layer in net().layers].index("fc")
    assert cost.mapping[i].startswith("rs set 1x1")  # a GEMM is a 1x1 conv with one output row


def _rs_candidates(layers, **params):
    from codesign.costmodel.dataflows import DATAFLOWS, HardwareView

    hw = SpatialArray(dataflow="rs", **params)
    _, shape, _ = layer_shape(Workload("w", tuple(layers)))
    view = HardwareView(rows=hw.rows, cols=hw.cols, rf_bytes=hw.rf_bytes, glb_bytes=hw.glb_kib * 1024,
                        word_bytes=2.0, psum_bytes=2.0)
    return DATAFLOWS["rs"](shape, view, False, True), view, shape


def test_row_stationary_stacks_channel_replicas_vertically():
    # Partial sums of channel replicas are added up between vertically adjacent PEs only: a
    # 3-row set stacks four times on 12 rows, a 5-row set twice, an 11-row set once; filter
    # replicas may also sit side by side.
    from codesign.costmodel.dataflows import rs_mapping

    layers = [Layer(name=f"r{r}", op="conv", N=1, K=64, C=64, P=7, Q=7, R=r, S=r, H=7 + r - 1, W=7 + r - 1)
              for r in (3, 5, 11)]
    cand, view, shape = _rs_candidates(layers)
    ok = cand.fits_rf & cand.fits_glb
    r = np.broadcast_to(cand.knobs["r"], ok.shape)
    t = np.broadcast_to(cand.knobs["t"], ok.shape)
    for row, stack in enumerate((4, 2, 1)):
        assert r[row][ok[row]].max() == stack
        assert (r * t)[row][ok[row]].max() > stack          # filter replicas beside them
    one = lambda v: np.full((3, 1), float(v))  # noqa: E731
    too_many = rs_mapping(shape, view, e=one(7), r=one(4), t=one(1), g=one(1), p=one(4),
                          q=one(1), n=one(1))
    assert too_many.fits_rf[:, 0].tolist() == [True, False, False]


def test_row_stationary_splits_sets_over_channels_and_filters_evenly():
    # The chip's CONV4/5 mapping (JSSC 2017, Table III): r = 2 channel x t = 2 filter replicas of
    # a 3 x 13 set, groups one after another, p = 16 filters per PE (not 18 with a ragged last pass).
    layer = Layer(name="c4", op="conv", N=4, K=384, C=384, P=13, Q=13, R=3, S=3, H=15, W=15, groups=2)
    cand, _, _ = _rs_candidates([layer])
    k = {name: np.broadcast_to(v, cand.fits_rf.shape)[0] for name, v in cand.knobs.items()}
    even = (k["r"] == 2) & (k["t"] == 2) & (k["g"] == 1) & (k["e"] == 13)
    assert np.any(even & cand.fits_rf[0] & cand.fits_glb[0])
    assert set(k["p"][even]) == {16.0}


def test_goal_changes_the_chosen_mapping():
    small = dict(rows=8, cols=8, glb_kib=16, rf_bytes=128)
    fast, frugal = evaluate("latency", **small), evaluate("energy", **small)
    assert fast.total_cycles <= frugal.total_cycles
    assert frugal.energy_j <= fast.energy_j
    assert fast.mapping[:] != frugal.mapping[:]


def test_bigger_buffers_cut_dram_traffic_and_cost_area():
    tight = evaluate(glb_kib=8, rf_bytes=128)
    roomy = evaluate(glb_kib=512, rf_bytes=1024)
    dram = lambda c: c.traffic_totals_bytes["dram.read"] + c.traffic_totals_bytes["dram.write"]  # noqa: E731
    assert dram(roomy) < dram(tight)
    assert roomy.area_mm2 > tight.area_mm2
    assert evaluate(rows=24).area_mm2 > evaluate(rows=12).area_mm2


def test_slow_dram_stalls_and_slow_noc_too():
    slow, fast = evaluate(dram_gbps=0.05), evaluate(dram_gbps=100.0)
    assert slow.total_cycles > fast.total_cycles
    assert any(lc.stall_cycles > 0 for lc in slow.layers())
    assert evaluate(noc_gbps=0.1).total_cycles > evaluate(noc_gbps=100.0).total_cycles


def test_filter_reloads_stall_when_the_scratchpad_cannot_double_buffer():
    layer = Workload("one", (Layer(name="c", op="conv", K=96, C=3, P=55, Q=55, R=11, S=11, H=227, W=227,
                                   stride_h=4, stride_w=4),))
    cost = evaluate("latency", layer)
    # 11 taps x q channels x p filters fill the 448 B filter spad: no room for the next pass's.
    assert cost.total_cycles > cost.compute_cycles.sum()


def test_activations_stay_on_chip_when_they_fit():
    chain = Workload("chain", (Layer(name="a", op="conv", K=16, C=16, P=8, Q=8, R=3, S=3, H=10, W=10),
                               Layer(name="b", op="conv", K=16, C=16, P=8, Q=8)))
    cost = evaluate(workload=chain, glb_kib=64)
    assert cost.traffic_bytes["dram.ifmap"][1] == 0 and cost.traffic_bytes["dram.ofmap"][0] == 0
    assert cost.traffic_bytes["dram.ifmap"][0] > 0 and cost.traffic_bytes["dram.ofmap"][1] > 0


def test_duplicate_layers_cost_the_same_as_alone():
    base = net().layers
    twice = Workload("twice", (base[2], base[6], Layer(**{**base[2].to_dict(), "name": "pw2"})))
    alone = Workload("alone", (base[2],))
    hw = SpatialArray(glb_kib=4)  # nothing stays on chip
    a = cost_model_for(hw).evaluate(alone, hw)
    b = cost_model_for(hw).evaluate(twice, hw)
    assert len(layer_shape(twice, unique=True)[1].bounds[0]) == 2
    for i in (0, 2):
        assert b.cycles[i] == pytest.approx(a.cycles[0])
        assert b.layer_energy_j[i] == pytest.approx(a.layer_energy_j[0])
        assert b.mapping[i] == a.mapping[0]


def test_batch_is_mapped():
    one, four = evaluate(workload=net(1)), evaluate(workload=net(4))
    assert one.feasible and four.feasible
    assert four.total_cycles > one.total_cycles
    assert four.macs == 4 * one.macs


@pytest.mark.parametrize("params,needle", [
    ({"rows": 0}, "rows must be >= 1"),
    ({"cols": 0}, "cols must be >= 1"),
    ({"dram_gbps": 0.0}, "dram_gbps must be > 0"),
    ({"dram_gbps": -2.0}, "dram_gbps must be > 0"),
    ({"noc_gbps": 0.0}, "noc_gbps must be > 0"),
    ({"dataflow": "nlr"}, "unknown dataflow 'nlr'"),
    ({"clock_mhz": 0.0}, "clock_mhz must be > 0"),
    ({"glb_kib": 0.0}, "glb_kib must be > 0"),
    ({"rf_bytes": float("nan")}, "rf_bytes must be > 0"),
    ({"tech_nm": 300.0}, "tech_nm must be within"),
    ({"glb_gbps": -1.0}, "glb_gbps must be >= 0"),
    ({"rlc_zeros": 1.0}, "rlc_zeros must be within [0, 1)"),
    ({"clock_share": -0.1}, "clock_share must be within [0, 1)"),
    ({"spatial_dims": "KX"}, "spatial_dims: unknown loop dimension(s) 'X'"),
    ({"spatial_dims": "KK"}, "spatial_dims: a dimension is listed twice"),
])
def test_bad_hardware_is_infeasible_with_reason(params, needle):
    cost = evaluate(**params)
    assert not cost.feasible
    assert any(needle in reason for reason in cost.infeasible_reasons), cost.infeasible_reasons
    metrics = cost.metrics()
    assert metrics["latency_s"] is None and metrics["energy_j"] is None
    assert math.isnan(cost.total_cycles)
    json.dumps(metrics, allow_nan=False)  # strict JSON: no NaN slips through


@pytest.mark.parametrize("params,needle", [
    ({"dataflow": "rs", "rf_bytes": 8}, "register file"),
    ({"dataflow": "ws", "rf_bytes": 1}, "register file"),
    ({"dataflow": "os", "rf_bytes": 1}, "register file"),
    ({"dataflow": "rs", "glb_kib": 0.05}, "global buffer"),
    ({"dataflow": "ws", "glb_kib": 0.05}, "global buffer"),
    ({"dataflow": "os", "glb_kib": 0.05}, "global buffer"),
])
def test_no_tiling_fits_is_infeasible_with_reason(params, needle):
    cost = evaluate(**params)
    assert not cost.feasible
    assert any(needle in reason for reason in cost.infeasible_reasons), cost.infeasible_reasons
    assert "no mapping fits" in cost.mapping[0]
    assert cost.metrics()["energy_j"] is None


def test_fixed_mapping_is_checked():
    with pytest.raises(ConfigError, match="unknown level"):
        FixedMapping(loops=[("cache", "K", 2)], keep={}, partition={})
    with pytest.raises(ConfigError, match="unknown dimension"):
        FixedMapping(loops=[("rf", "Z", 2)], keep={}, partition={})
    with pytest.raises(ConfigError, match="must be >= 1"):
        FixedMapping(loops=[("rf", "K", 0)], keep={}, partition={})
    keep = {"W": (True, True), "I": (False, True), "O": (False, True)}
    layer = Workload("l", (Layer(name="g", op="linear", K=8, C=4, P=2),))
    hw = SpatialArray(dataflow="ws")
    covers = FixedMapping(loops=[("rf", "P", 2), ("spatial", "C", 4), ("spatial", "K", 8)], keep=keep,
                          partition={"W": 16})
    cost = SpatialCostModel(mapping=covers).evaluate(layer, hw)
    assert cost.feasible and cost.compute_cycles[0] == 2
    short = FixedMapping(loops=[("spatial", "C", 4), ("spatial", "K", 8)], keep=keep, partition={"W": 16})
    assert not SpatialCostModel(mapping=short).evaluate(layer, hw).feasible


def test_technology_node_scales_energy_and_area():
    old, new = evaluate(tech_nm=65), evaluate(tech_nm=16)
    assert new.energy_by_component_j["mac"] < old.energy_by_component_j["mac"]
    assert new.area_mm2 < old.area_mm2
    # DRAM energy does not scale with the logic node.
    assert new.energy_by_component_j["dram"] == pytest.approx(old.energy_by_component_j["dram"], rel=0.3)


def test_mapping_descriptions_are_lazy_and_complete():
    cost = evaluate()
    assert len(cost.mapping) == len(net().layers)
    assert all(isinstance(text, str) and text for text in cost.mapping)
    assert cost.mapping[:2] == [cost.mapping[0], cost.mapping[1]]
    assert np.all(np.isfinite(cost.cycles))


def test_random_layers_and_hardware_never_crash_and_stay_consistent():
    """Seeded random layers on random hardware: either a finite cost that respects the physics
    (at least MACs / PEs cycles, utilisation <= 1, positive energy) or infeasible with reasons."""
    rng = np.random.default_rng(0)
    for trial in range(40):
        layers = []
        for i in range(4):
            groups = int(rng.choice([1, 1, 2, 4]))
            c = groups * int(rng.integers(1, 17))
            k = groups * int(rng.integers(1, 17))
            r = int(rng.choice([1, 3, 5, 7, 11]))
            stride = int(rng.choice([1, 2, 4]))
            p_ = int(rng.integers(1, 40))
            op = str(rng.choice(["conv", "conv", "linear", "matmul"]))
            if op == "conv":
                layers.append(Layer(name=f"l{i}", op="conv", N=int(rng.integers(1, 3)), K=k, C=c, P=p_,
                                    Q=int(rng.integers(1, 40)), R=r, S=r, stride_h=stride, stride_w=stride,
                                    groups=groups))
            else:
                layers.append(Layer(name=f"l{i}", op=op, N=int(rng.integers(1, 4)), K=k, C=c, P=p_))
        workload = Workload(f"w{trial}", tuple(layers))
        hw = SpatialArray(rows=int(rng.integers(1, 33)), cols=int(rng.integers(1, 33)),
                          dataflow=str(rng.choice(["rs", "ws", "os"])), rf_bytes=float(rng.choice([8, 64, 256, 1024])),
                          glb_kib=float(rng.choice([1, 8, 64, 512])), bits=int(rng.choice([8, 16])),
                          psum_bits=int(rng.choice([16, 32])))
        for goal in ("latency", "energy", "edp"):
            cost = cost_model_for(hw, goal=goal).evaluate(workload, hw)
            if not cost.feasible:
                assert cost.infeasible_reasons and math.isnan(cost.energy_j)
                continue
            assert np.isfinite(cost.energy_j) and cost.energy_j > 0
            for lc, layer in zip(cost.layers(), layers, strict=True):
                assert lc.compute_cycles >= layer.macs / hw.num_pes - 1e-6
                assert 0 < lc.utilization <= 1 + 1e-9
                assert all(v >= 0 for v in lc.energy_j.values())
                assert all(v >= -1e-6 for v in lc.traffic_bytes.values()), lc.traffic_bytes


def test_results_pickle_with_their_mapping_descriptions():
    import pickle

    for dataflow in ("rs", "ws", "os"):
        cost = evaluate(dataflow=dataflow)
        back = pickle.loads(pickle.dumps(cost))
        assert back.mapping[:] == cost.mapping[:] and back.energy_j == cost.energy_j


def test_global_buffer_ports_bound_the_latency():
    free, tight = evaluate(), evaluate(glb_gbps=0.2)
    assert tight.total_cycles > free.total_cycles
    bpc = SpatialArray(glb_gbps=0.2).glb_bytes_per_cycle
    for lc in tight.layers():
        if lc.name in ("conv1", "conv2"):
            glb = lc.traffic_bytes["glb.ifmap"] + lc.traffic_bytes["glb.psum"] + lc.traffic_bytes["glb.weights"]
            assert lc.cycles >= glb / bpc * (1 - 1e-9)


def test_run_length_coding_shrinks_activation_traffic_only():
    from codesign.costmodel.compression import rlc_factor

    raw, coded = evaluate(goal="latency"), evaluate(goal="latency", rlc_zeros=0.6)
    for a, b in zip(raw.layers(), coded.layers(), strict=True):
        if a.mapping != b.mapping:
            continue
        assert b.traffic_bytes["dram.weights"] == pytest.approx(a.traffic_bytes["dram.weights"])
        assert b.traffic_bytes["dram.ifmap"] == pytest.approx(a.traffic_bytes["dram.ifmap"] * rlc_factor(0.6))
        assert b.traffic_bytes["dram.ofmap"] == pytest.approx(a.traffic_bytes["dram.ofmap"] * rlc_factor(0.6))
    assert coded.energy_by_component_j["dram"] < raw.energy_by_component_j["dram"]
    assert rlc_factor(0.0) == 1.0          # a map without zeros would grow: sent raw
    assert rlc_factor(0.99) < 0.02


def test_clock_network_takes_its_share_of_dynamic_energy():
    cost = evaluate(clock_share=0.25)
    parts = cost.energy_by_component_j
    dynamic = sum(parts[k] for k in ("mac", "rf", "noc", "buffer", "vector"))
    assert parts["clock"] / (parts["clock"] + dynamic) == pytest.approx(0.25)
    assert cost.energy_j > evaluate().energy_j


def test_spatial_dims_keeps_the_mapper_to_the_allowed_dimensions():
    free = evaluate(dataflow="ws")
    held = evaluate(dataflow="ws", spatial_dims="NKCG")
    assert held.feasible
    assert all(" taps," not in m for m in held.mapping[:3])
    assert any(" taps," in m for m in free.mapping[:3])
    blocked = evaluate(dataflow="os", spatial_dims="KC")
    assert not blocked.feasible
    assert any("spatial_dims='KC'" in r for r in blocked.infeasible_reasons)
