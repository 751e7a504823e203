"""The spatial model's shortcuts give the numbers of the plain computation, bit for bit: the
row-stationary generator reuses what ``rs_mapping`` would compute again; loop counts' logarithms
and the effective counts of split dimensions are taken in stacked numpy calls. A shortcut that
changed a result (another formula on one side, a different rounding) fails here, on AlexNet's and
VGG-16's CONV stacks as Eyeriss ran them, MobileNet-style blocks and the mixed test network,
under every dataflow and mapping goal."""
from __future__ import annotations

import functools

import numpy as np
import pytest

from codesign.costmodel import dataflows, spatial
from codesign.costmodel.dataflows import row_stationary, rs_mapping
from codesign.costmodel.loopnest import analyse
from codesign.costmodel.spatial import SpatialCostModel, layer_shape
from codesign.hardware.presets import load_accelerator
from codesign.workload import Layer, Workload
from tests.costmodel import fidelity_cases as fc
from tests.costmodel.test_spatial import net


def _mobilenet_blocks(batch: int = 1) -> Workload:
    """Inverted-residual blocks: expand 1x1, depthwise 3x3 (stride 1 and 2), project 1x1."""
    layers, size, c = [], 56, 24
    for i, (expand, out, stride) in enumerate(((6, 24, 1), (6, 32, 2), (6, 64, 2), (6, 96, 1))):
        hidden, small = c * expand, size // stride
        layers += [
            Layer(name=f"b{i}.pw", op="conv", N=batch, K=hidden, C=c, P=size, Q=size),
            Layer(name=f"b{i}.dw", op="conv", N=batch, K=hidden, C=hidden, P=small, Q=small, R=3, S=3,
                  H=size + 2, W=size + 2, stride_h=stride, stride_w=stride, groups=hidden),
            Layer(name=f"b{i}.pj", op="conv", N=batch, K=out, C=hidden, P=small, Q=small),
        ]
        size, c = small, out
    return Workload("mbv2_blocks", tuple(layers))


WORKLOADS = {"alexnet": fc.alexnet_conv_workload, "vgg16": fc.vgg16_conv_workload, "mbv2": _mobilenet_blocks,
             "mbv2_b2": lambda: _mobilenet_blocks(2), "net": net}


def _same(a, b) -> bool:
    """Equal bit for bit (arrays: dtype, shape and bytes; -0.0 and NaN included)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (float, int, np.ndarray)) or isinstance(b, (float, int, np.ndarray)):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    return a == b


def _costs(cost) -> dict:
    return {"cycles": cost.cycles, "compute": cost.compute_cycles, "energy": cost.energy_parts_j,
            "traffic": cost.traffic_bytes, "mapping": list(cost.mapping), "reasons": list(cost.reasons),
            "busy": cost.busy_pe_cycles}


@pytest.mark.parametrize("name", sorted(WORKLOADS))
@pytest.mark.parametrize("tiling", [True, False])
def test_row_stationary_gives_what_rs_mapping_computes_from_its_knobs(name, tiling):
    for hw in (load_accelerator("eyeriss"), load_accelerator("eyeriss", {"rows": 7, "cols": 9, "glb_kib": 12.0})):
        k = spatial._constants(hw)
        _, shape, _ = layer_shape(WORKLOADS[name]())
        cand = row_stationary(shape, k.view, shape.batched(), tiling)
        v = cand.knobs
        plain = rs_mapping(cand.shape, k.view, e=v["e"], r=v["r"], t=v["t"], g=v["g"], p=v["p"], q=v["q"], n=v["n"])
        assert _same(cand.fits_rf, plain.fits_rf) and _same(cand.fits_glb, plain.fits_glb)
        assert _same(cand.knobs, plain.knobs)
        assert len(cand.nest.loops) == len(plain.nest.loops)
        for mine, ref in zip(cand.nest.loops, plain.nest.loops, strict=True):
            assert (mine.level, mine.dim) == (ref.level, ref.dim)
            assert _same(mine.count, ref.count) and (mine.nominal is None) == (ref.nominal is None)
            assert mine.nominal is None or _same(mine.nominal, ref.nominal)


@pytest.mark.parametrize("preset", ["eyeriss", "nvdla_small", "shidiannao"])
@pytest.mark.parametrize("goal", ["edp", "latency", "energy"])
def test_stacked_numpy_calls_pick_the_same_mappings_and_costs(monkeypatch, preset, goal):
    hw = load_accelerator(preset)
    workloads = {name: make() for name, make in WORKLOADS.items()}
    fast = {name: _costs(SpatialCostModel(goal=goal).evaluate(w, hw)) for name, w in workloads.items()}
    monkeypatch.setattr(spatial, "analyse", functools.partial(analyse, stacked=False))
    monkeypatch.setattr(dataflows, "_cum_counts", functools.partial(dataflows._cum_counts, stacked=False))
    for name, w in workloads.items():
        plain = _costs(SpatialCostModel(goal=goal).evaluate(Workload(w.name, w.layers, input_shape=w.input_shape), hw))
        assert plain["mapping"] == fast[name]["mapping"], name
        assert _same(plain, fast[name]), name
