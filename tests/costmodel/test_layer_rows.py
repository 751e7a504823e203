"""``NetworkCost.layer_rows`` (column by column) gives the rows ``LayerCost.to_row`` gives, value
for value (``repr``: -0.0 and NaN included), on every cost model and on infeasible results; and
the spatial model's mapping descriptions read in one pass equal those read one by one."""
from __future__ import annotations

import math
import random

import pytest

from codesign.costmodel.base import cost_model_for
from codesign.hardware.presets import load_accelerator
from codesign.workload import Layer, Workload
from tests.costmodel.test_spatial import net


def _repeated(seed: int = 0, n: int = 120) -> Workload:
    """Layers of a few shapes, repeated (so that descriptions repeat), vector layers between."""
    rng = random.Random(seed)
    layers = []
    for i in range(n):
        if i % 5 == 4:
            layers.append(Layer(name=f"act{i}", op="act", K=16, C=16, P=7, Q=7, ops_per_output=1.0))
        else:
            layers.append(Layer(name=f"conv{i}", op="conv", K=rng.choice([16, 32]), C=16, P=7, Q=7, R=3, S=3))
    return Workload("rep", tuple(layers))


def _clean(row: dict) -> dict:
    return {k: None if type(v) is float and not math.isfinite(v) else v for k, v in row.items()}


def _cases():
    for preset in ("eyeriss", "tpu_v1", "shidiannao", "nvdla_small", "edge_tpu"):
        hw = load_accelerator(preset)
        for workload in (net(), _repeated()):
            yield f"{preset} {workload.name}", cost_model_for(hw).evaluate(workload, hw)
    tight = load_accelerator("eyeriss", {"glb_kib": 1.0, "rf_bytes": 16.0})
    yield "eyeriss without room", cost_model_for(tight).evaluate(net(4), tight)
    hw = load_accelerator("eyeriss")
    yield "infeasible hardware", cost_model_for(hw).infeasible(net(), hw, ["no PEs"])


CASES = dict(_cases())


@pytest.mark.parametrize("name", CASES)
def test_layer_rows_are_the_to_row_rows(name):
    cost = CASES[name]
    rows = [layer.to_row() for layer in cost.layers()]
    assert repr(cost.layer_rows()) == repr(rows)
    assert repr(cost.layer_rows(nan_as_none=True)) == repr([_clean(row) for row in rows])


def test_the_cases_include_layers_without_a_mapping_and_nan_costs():
    assert any(any(cost.reasons) for cost in CASES.values())
    assert any(math.isnan(cost.cycles[0]) for cost in CASES.values())


@pytest.mark.parametrize("dataflow", ["rs", "ws", "os"])
def test_mapping_descriptions_in_one_pass_equal_one_by_one(dataflow):
    hw = load_accelerator("eyeriss", {"dataflow": dataflow})
    cost = cost_model_for(hw).evaluate(_repeated(1), hw)
    assert list(cost.mapping) == [cost.mapping[i] for i in range(len(cost.mapping))]
    assert len(set(cost.mapping)) < len(cost.mapping)  # repeats: the memo is used
