"""The spatial cost model against Timeloop+Accelergy, measured Eyeriss silicon and ZigZag
(tests/data, see its README). Only rows with a tolerance are tests; the others (ZigZag, our
mapper's results, per-component energies) are reported by ``benchmarks/fidelity.py``."""
import math
import re

import numpy as np
import pytest
import yaml

from accelerators.spatial import SpatialArray
from codesign.costmodel.dataflows import HardwareView
from codesign.costmodel.loopnest import analyse
from codesign.costmodel.spatial import layer_shape
from codesign.workload import Workload
from tests.costmodel import fidelity_cases as fc
from tests.costmodel import tpu_cases


def _timeloop_accesses(design: str) -> dict[tuple[str, str], dict[str, float]]:
    """Per (storage level, data space): total scalar reads, fills and updates (all instances)."""
    text = (fc.DATA / "timeloop" / f"{design}.stats.txt").read_text().split("\nNetworks")[0]
    out = {}
    for block in re.split(r"\n=== ", text)[1:]:
        level = block.split(" ===")[0]
        parts = re.split(r"\n    (Weights|Inputs|Outputs):\n", block)
        for space, body in zip(parts[1::2], parts[2::2], strict=True):
            get = lambda key, b=body: float(re.search(rf"{key}\s+: ([\d.]+)", b).group(1))  # noqa: E731
            inst = get(r"Utilized instances \(max\)")
            out[(level, space[0])] = {k: inst * get(rf"Scalar {k} \(per-instance\)") for k in ("reads", "fills", "updates")}
    return out


def _our_traffic(design: str):
    hw = SpatialArray(**fc.TIMELOOP_DESIGNS[design])
    _, shape, _ = layer_shape(Workload("t", (fc.TIMELOOP_LAYER,)))
    view = HardwareView(hw.rows, hw.cols, hw.rf_bytes, hw.glb_kib * 1024, hw.bits / 8, hw.psum_bits / 8)
    t = analyse(fc.timeloop_mapping(design)(shape, view).nest, shape)
    return lambda kind, level, op: float(np.ravel(getattr(t, kind)[level][op])[0]), t


# (our quantity, Timeloop's level and data space, its counter, relative tolerance). Exact where the
# counting rules agree; inputs that slide along P at an outer level come out 0.4-3 % lower here
# (only the new rows of the window are fetched, Timeloop refetches the whole tile there).
_MATCHES = {
    "eyeriss_like": [
        (("reads", "rf", "W"), ("weights_spad", "W"), "reads", 1e-9),
        (("writes", "rf", "W"), ("weights_spad", "W"), "fills", 1e-9),
        (("writes", "rf", "I"), ("ifmap_spad", "I"), "fills", 1e-9),
        (("writes", "rf", "O"), ("psum_spad", "O"), "updates", 1e-9),
        (("writes", "glb", "O"), ("shared_glb", "O"), "updates", 1e-9),
        (("writes", "glb", "I"), ("shared_glb", "I"), "fills", 0.01),
        (("reads", "dram", "W"), ("DRAM", "W"), "reads", 1e-9),
        (("reads", "dram", "I"), ("DRAM", "I"), "reads", 0.01),
        (("writes", "dram", "O"), ("DRAM", "O"), "updates", 1e-9),
    ],
    "simple_weight_stationary": [
        (("reads", "rf", "W"), ("pe_spad", "W"), "reads", 1e-9),
        (("writes", "rf", "W"), ("pe_spad", "W"), "fills", 1e-9),
        (("reads", "glb", "W"), ("shared_glb", "W"), "reads", 1e-9),
        (("writes", "glb", "W"), ("shared_glb", "W"), "fills", 1e-9),
        (("reads", "glb", "I"), ("shared_glb", "I"), "reads", 1e-9),
        (("writes", "glb", "I"), ("shared_glb", "I"), "fills", 1e-9),
        (("writes", "glb", "O"), ("shared_glb", "O"), "updates", 1e-9),
        (("reads", "dram", "W"), ("DRAM", "W"), "reads", 1e-9),
        (("reads", "dram", "I"), ("DRAM", "I"), "reads", 1e-9),
        (("writes", "dram", "O"), ("DRAM", "O"), "updates", 1e-9),
    ],
    "simple_output_stationary": [
        (("reads", "glb", "W"), ("shared_glb", "W"), "reads", 1e-9),
        (("writes", "glb", "W"), ("shared_glb", "W"), "fills", 1e-9),
        (("reads", "glb", "I"), ("shared_glb", "I"), "reads", 1e-9),
        (("writes", "glb", "I"), ("shared_glb", "I"), "fills", 0.035),
        (("writes", "rf", "O"), ("pe_spad", "O"), "updates", 1e-9),
        (("reads", "dram", "W"), ("DRAM", "W"), "reads", 1e-9),
        (("reads", "dram", "I"), ("DRAM", "I"), "reads", 0.035),
        (("writes", "dram", "O"), ("DRAM", "O"), "updates", 1e-9),
    ],
}


@pytest.mark.parametrize("design", sorted(fc.TIMELOOP_DESIGNS))
def test_access_counts_match_timeloop_under_its_mapping(design):
    ref = _timeloop_accesses(design)
    ours, t = _our_traffic(design)
    assert float(np.ravel(t.cycles)[0]) == fc.read_timeloop_stats(design)["cycles"]
    for (kind, level, op), key, counter, tol in _MATCHES[design]:
        assert ours(kind, level, op) == pytest.approx(ref[key][counter], rel=tol), (kind, level, op, key, counter)


@pytest.mark.parametrize("design", sorted(fc.TIMELOOP_DESIGNS))
def test_transcribed_mapping_has_timeloops_temporal_loops(design):
    """The loops in tests/data/timeloop/mappings.yaml are the stats file's, renamed (Timeloop's
    R, S, P, Q, M are our S, R, Q, P, K) and listed innermost first."""
    rename = {"R": "S", "S": "R", "P": "Q", "Q": "P", "M": "K", "C": "C", "N": "N"}
    printed = sorted((rename[d], n) for d, n in fc.timeloop_loops(design))
    ours = sorted((dim, int(n)) for level, dim, n in fc.timeloop_mapping(design).loops if level != "spatial")
    assert ours == printed


def _checked(rows: list[fc.Comparison]) -> list[fc.Comparison]:
    return [r for r in rows if r.checked]


@pytest.mark.parametrize("row", _checked(fc.timeloop_comparisons()), ids=lambda r: f"{r.case}-{r.metric}-{r.note}")
def test_timeloop_cycles_and_energy(row):
    assert math.isfinite(row.ours) and row.ours > 0
    assert row.ok, f"{row.case} {row.metric}: ours {row.ours:.4g} vs Timeloop {row.reference:.4g} ({row.error:+.1%})"


@pytest.mark.parametrize("row", _checked(fc.eyeriss_comparisons()), ids=lambda r: f"{r.case}-{r.metric}-{r.note}")
def test_eyeriss_silicon(row):
    assert math.isfinite(row.ours) and row.ours > 0
    assert row.ok, f"{row.case} {row.metric}: ours {row.ours:.4g} vs measured {row.reference:.4g} ({row.error:+.1%})"


def test_eyeriss_chip_mapping_uses_the_measured_active_pes():
    rows = [r for r in fc.eyeriss_comparisons() if r.metric == "active PEs"]
    assert len(rows) == 5 and all(r.ours == r.reference for r in rows)


def test_eyeriss_table3_allocations_are_consistent():
    """The transcribed mapping parameters reproduce the global-buffer allocations of Table III."""
    for row in fc.eyeriss_table3():
        h_rows = (row["e"] - 1) * row["U"] + row["R"]
        ifmap = row["n"] * row["q"] * row["r"] * h_rows * row["H"] * 2 / 1024
        psum = row["m"] * row["n"] * row["e"] * row["E"] * 2 / 1024
        assert ifmap == pytest.approx(row["glb_ifmap_kib"], abs=0.06)
        assert psum == pytest.approx(row["glb_psum_kib"], abs=0.06)


def test_every_reported_row_is_finite_and_says_what_kind_it_is():
    """Reported-only rows are not tests of fidelity, but a row that came out NaN or without a kind
    would print a meaningless table."""
    rows = (fc.scalesim_comparisons() + fc.timeloop_comparisons() + fc.eyeriss_comparisons()
            + fc.zigzag_comparisons() + tpu_cases.tpu_comparisons())
    assert {r.suite for r in rows} == {"scalesim", "timeloop", "eyeriss", "zigzag", "tpu"}
    assert {r.case.split(" ")[0] for r in rows if r.suite == "zigzag"} == {"tpu_like", "tesla_npu_like"}
    bad = [(r.suite, r.case, r.metric, r.note) for r in rows
           if r.kind not in fc.KINDS or not (math.isfinite(r.ours) and r.ours > 0)]
    assert not bad


def test_timeloop_energy_is_reported_with_both_technologies():
    """The independent tables are the default; the Timeloop-derived ones appear as their own,
    calibrated row, never in place of the independent one. The tested rows leave DRAM out (its
    price is the reference's own), and every total that includes it says it is calibrated."""
    rows = [r for r in fc.timeloop_comparisons() if r.note.startswith("Timeloop's mapping")]
    tested = [r for r in rows if r.checked and r.metric == "on-chip energy uJ"]
    kinds = {(r.case, r.kind) for r in tested}
    assert kinds == {(d, k) for d in fc.TIMELOOP_DESIGNS for k in (fc.IMPOSED, fc.CALIBRATED)}
    assert all(("technology=default" in r.note) == (r.kind == fc.IMPOSED) for r in tested)
    totals = [r for r in fc.timeloop_comparisons() if r.metric == "energy uJ"]
    assert totals and all(r.kind == fc.CALIBRATED and not r.checked for r in totals)


@pytest.mark.parametrize("row", _checked(fc.zigzag_comparisons()),
                         ids=lambda r: f"{r.case}-{r.note}")
def test_zigzag_cycles_under_its_spatial_unrolling(row):
    assert row.ok, f"{row.case}: ours {row.ours:.4g} vs ZigZag {row.reference:.4g} ({row.error:+.1%})"


@pytest.mark.parametrize("design", sorted(fc.TIMELOOP_SPATIAL_DIMS))
def test_our_mapper_under_timeloops_constraints(design):
    """Held to the design's spatial constraints, our mapper unrolls only the allowed dimensions and
    finds a mapping no slower than Timeloop's mapper did (or says why none exists)."""
    held = fc.timeloop_cost(design, own_mapper=True, constrained=True)
    free = fc.timeloop_cost(design, own_mapper=True)
    if design == "simple_output_stationary":
        assert not held.feasible and "spatial_dims='NKC'" in held.reasons[0]
        return
    assert held.feasible
    assert held.total_cycles <= fc.read_timeloop_stats(design)["cycles"]
    assert held.total_cycles >= free.total_cycles
    if design == "simple_weight_stationary":   # taps on PE rows are ruled out: the constraint bites
        assert held.total_cycles > free.total_cycles and " taps," not in held.mapping[0]


def test_spatial_dims_masks_exactly_the_unrolled_dimensions():
    from codesign.costmodel.dataflows import DATAFLOWS
    from codesign.costmodel.mapping_constraints import spatial_violations

    hw = SpatialArray(**fc.TIMELOOP_DESIGNS["simple_weight_stationary"])
    _, shape, _ = layer_shape(Workload("t", (fc.TIMELOOP_LAYER,)))
    view = HardwareView(hw.rows, hw.cols, hw.rf_bytes, hw.glb_kib * 1024, hw.bits / 8, hw.psum_bits / 8)
    cand = DATAFLOWS["ws"](shape, view, False, True)
    taps = np.asarray(cand.knobs["s_sp"] * cand.knobs["r_sp"] > 1).reshape(1, -1)
    assert np.any(taps) and not np.all(taps)
    np.testing.assert_array_equal(spatial_violations(cand.nest, "NKC", 1), taps)
    assert not np.any(spatial_violations(cand.nest, "", 1))
    assert not np.any(spatial_violations(cand.nest, "NKCRS", 1))


@pytest.mark.parametrize("design", sorted(fc.TIMELOOP_SPATIAL_DIMS))
def test_timeloops_own_mappings_satisfy_the_transcribed_constraints(design):
    """The constraints in TIMELOOP_SPATIAL_DIMS are those the reference runs obeyed: Timeloop's own
    mapping passes them, and dropping a dimension it unrolls makes it infeasible, with the reason."""
    from codesign.costmodel.spatial import SpatialCostModel

    mapping = fc.timeloop_mapping(design)
    workload = Workload("t", (fc.TIMELOOP_LAYER,))
    allowed = fc.TIMELOOP_SPATIAL_DIMS[design]
    held = SpatialCostModel(mapping=mapping).evaluate(workload, SpatialArray(**fc.TIMELOOP_DESIGNS[design],
                                                                            spatial_dims=allowed))
    assert held.feasible and held.total_cycles == pytest.approx(fc.read_timeloop_stats(design)["cycles"], rel=1e-3)
    unrolled = {dim for level, dim, n in mapping.loops if level == "spatial" and n > 1}
    assert unrolled and unrolled <= set(allowed)
    narrower = "".join(ch for ch in allowed if ch != sorted(unrolled)[0])
    blocked = SpatialCostModel(mapping=mapping).evaluate(workload, SpatialArray(**fc.TIMELOOP_DESIGNS[design],
                                                                               spatial_dims=narrower))
    assert not blocked.feasible and f"spatial_dims={narrower!r}" in blocked.reasons[0]


@pytest.mark.parametrize("network", ["alexnet", "vgg16"])
def test_eyeriss_workloads_have_the_measured_mac_counts(network):
    """The transcribed layer shapes give the MACs of Tables V / VI (printed to 2-3 digits)."""
    workload = fc.alexnet_conv_workload() if network == "alexnet" else fc.vgg16_conv_workload()
    measured = fc.eyeriss_measured(network)
    for layer in workload.layers:
        assert layer.macs / 1e9 == pytest.approx(measured[layer.name]["gmacs"], rel=0.02), layer.name
    assert sum(layer.macs for layer in workload.layers) / 1e9 == pytest.approx(measured["Total"]["gmacs"], rel=0.01)


def _timeloop_architecture(design: str) -> tuple[dict, dict[str, tuple[int, dict]]]:
    """The top-level attributes and, per component, (instances, attributes) of a reference run's
    input file (Timeloop's ``name[1..N]`` spelling)."""
    spec = yaml.safe_load((fc.DATA / "timeloop" / f"{design}.input.yaml").read_text())["architecture"]
    top = spec["subtree"][0]
    parts: dict[str, tuple[int, dict]] = {}

    def walk(node: dict) -> None:
        for item in node.get("local", []):
            m = re.fullmatch(r"(\w+)\[1\.\.(\d+)\]", item["name"])
            parts[m.group(1)] = (int(m.group(2)), item.get("attributes", {}))
        for child in node.get("subtree", []):
            walk(child)

    walk(top)
    return top["attributes"], parts


@pytest.mark.parametrize("design", sorted(fc.TIMELOOP_DESIGNS))
def test_transcribed_designs_are_the_reference_inputs(design):
    """TIMELOOP_DESIGNS restates each run's architecture in our template's terms; read back from the
    run's own input file: array, per-PE scratchpads, buffer size and ports, word widths, node, clock."""
    top, parts = _timeloop_architecture(design)
    ours = fc.TIMELOOP_DESIGNS[design]
    macs, mac = parts["mac"]
    glb_n, glb = parts["shared_glb"]
    assert (ours["rows"] * ours["cols"], ours["cols"]) == (macs, mac["meshX"])
    assert ours["rf_bytes"] == sum(n // macs * a["depth"] * a["width"] // 8 for name, (n, a) in parts.items()
                                   if "spad" in name)
    assert (glb_n, ours["glb_kib"] * 1024) == (1, glb["depth"] * glb["width"] // 8)
    word = parts["DRAM"][1]["datawidth"]
    assert (ours["bits"], ours["psum_bits"]) == (word, mac["adder_width"])
    clock_hz = 1.0 / float(top["global_cycle_seconds"])
    assert ours["clock_mhz"] * 1e6 == pytest.approx(clock_hz)
    ports = (glb["read_bandwidth"] + glb["write_bandwidth"]) * word / 8 * clock_hz
    assert ours["noc_gbps"] * 1e9 == pytest.approx(ports)
    assert f"{ours['tech_nm']}nm" == glb["technology"] == mac["technology"]
