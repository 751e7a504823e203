"""Compute cycles agree exactly with SCALE-Sim (its folding formula applies to every layer here)."""
import csv

import pytest

from accelerators.systolic import SystolicArray
from codesign.costmodel.base import cost_model_for
from codesign.workload import Workload

from .scalesim_data import SCALESIM, compute_reports, read_config, read_topology

TOPOLOGIES = {name: read_topology(SCALESIM / f"{name}.csv") for name in ("alexnet", "nb201_convs")}
REPORTS = compute_reports()


def _cost(layer, **params):
    """SCALE-Sim's mapping: the streamed dimension is not tiled."""
    hw = SystolicArray(**params)
    return cost_model_for(hw, goal="latency", tiling=False).evaluate(Workload("t", (layer,)), hw)


def test_every_generated_report_is_covered():
    configs = {r["config"] for r in REPORTS}
    assert configs == {"128x128_os", "128x128_ws", "256x256_ws_tpuv1_like", "12x14_ws_eyeriss_like",
                       "32x32_is", "32x32_os", "32x32_ws"}
    assert len(REPORTS) == 57


@pytest.mark.parametrize("row", REPORTS, ids=lambda r: f"{r['topology']}-{r['config']}-L{r['LayerID']}")
def test_compute_cycles_exact(row):
    layer = TOPOLOGIES[row["topology"]][int(row["LayerID"])]
    cost = _cost(layer, **read_config(row["config"]))
    assert cost.compute_cycles[0] == float(row["Total Cycles"])


def test_golden_run_alexnet_conv1():
    """SCALE-Sim v2's golden run: AlexNet CONV1 on a 32x32 WS array, 112,283 cycles, and its SRAM reads."""
    layer = read_topology(SCALESIM / "golden_topology_alexnet_part.csv")[0]
    report = next(csv.DictReader((SCALESIM / "golden_alexnet_conv1_32x32_ws_COMPUTE_REPORT.csv").open(), skipinitialspace=True))
    access = next(csv.DictReader((SCALESIM / "golden_alexnet_conv1_32x32_ws_DETAILED_ACCESS_REPORT.csv").open(),
                                 skipinitialspace=True))
    cost = _cost(layer, rows=32, cols=32, dataflow="ws", ifmap_sram_kib=64, filter_sram_kib=64, ofmap_sram_kib=64)
    assert cost.compute_cycles[0] == float(report["Total Cycles"])
    word = 1.0  # 8-bit words: bytes == elements
    assert cost.traffic_bytes["sram.ifmap.read"][0] / word == float(access["SRAM IFMAP Reads"])
    assert cost.traffic_bytes["sram.weights.read"][0] / word == float(access["SRAM Filter Reads"])
    # SCALE-Sim counts one ofmap write per row fold (partial sums); ours stores them at 32 bits.
    assert cost.traffic_bytes["sram.ofmap.write"][0] / 4 == float(access["SRAM OFMAP Writes"])
