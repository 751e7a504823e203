"""The shared pricing layer: scaling rules, component behaviour, independence of the default
tables from the Timeloop outputs we validate against, and that both cost models price through it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from accelerators.spatial import SpatialArray
from accelerators.systolic import SystolicArray
from codesign.costmodel.base import cost_model_for
from codesign.pricing import (
    SRAM,
    TECHNOLOGIES,
    DramInterface,
    Mac,
    NocHop,
    Register,
    RegisterFile,
    VectorUnit,
    area_scale,
    energy_scale,
)
from codesign.pricing import technology as t
from codesign.pricing.component import Component
from codesign.pricing.technology import Independent
from codesign.workload import Layer, Workload

TIMELOOP = Path(__file__).resolve().parents[1] / "data" / "timeloop"


def _net() -> Workload:
    return Workload("n", (
        Layer(name="c1", op="conv", K=32, C=16, P=28, Q=28, R=3, S=3, H=30, W=30, post_ops=1),
        Layer(name="fc", op="linear", K=10, C=64),
    ))


def test_node_scaling_is_monotone_and_bounded():
    nodes = [130, 90, 65, 45, 32, 28, 22, 16, 14, 10, 7]
    assert [energy_scale(n) for n in nodes] == sorted((energy_scale(n) for n in nodes), reverse=True)
    assert [area_scale(n) for n in nodes] == sorted((area_scale(n) for n in nodes), reverse=True)
    with pytest.raises(ValueError, match="outside the scaling table"):
        energy_scale(5)


@pytest.mark.parametrize("tech", ["default", "accelergy_timeloop"])
def test_storage_costs_more_per_byte_as_it_grows(tech):
    sizes = [1, 8, 64, 512, 4096, 65536, 1 << 20, 1 << 24]
    energies = [SRAM(tech, 45, s).read_j_per_byte for s in sizes]
    assert energies == sorted(energies) and energies[-1] > energies[-2]
    assert SRAM(tech, 45, 1).read_j_per_byte == SRAM(tech, 45, 2).read_j_per_byte   # floor: one register


def test_banks_and_width_follow_their_declared_rules():
    one = SRAM("default", 28, 256 * 1024)
    banked = SRAM("default", 28, 256 * 1024, banks=4)
    assert banked.read_j_per_byte == pytest.approx(SRAM("default", 28, 64 * 1024).read_j_per_byte)
    assert banked.read_j_per_byte < one.read_j_per_byte and banked.area_m2 == pytest.approx(one.area_m2)
    wide = SRAM("default", 28, 256 * 1024, width_bits=128)
    assert wide.energy_j("read") == pytest.approx(2 * one.energy_j("read"))


def test_bit_widths_and_nodes_move_every_component():
    for small, big in ((Mac("default", 28, 8, 16), Mac("default", 28, 16, 32)),
                       (Register("default", 28, 8), Register("default", 28, 32)),
                       (NocHop("default", 28, 8), NocHop("default", 28, 32)),
                       (VectorUnit("default", 28, 16, 16), VectorUnit("default", 28, 16, 32))):
        action = next(iter(small.actions()))
        assert small.energy_j(action) < big.energy_j(action)
    for make in (lambda n: Mac("default", n, 8, 32), lambda n: SRAM("default", n, 65536),
                 lambda n: RegisterFile("default", n, 32)):
        old, new = make(65), make(16)
        action = next(iter(old.actions()))
        assert new.energy_j(action) < old.energy_j(action) and new.area_m2 < old.area_m2
    assert DramInterface("default", 7, 8.0).j_per_byte == DramInterface("default", 130, 8.0).j_per_byte


def test_flip_flop_register_files_are_denser_below_the_sram_threshold_in_area_per_bit_only():
    """Below ``REGISTER_FILE_MAX_BYTES`` a store is flip-flops (bigger per bit than SRAM)."""
    ff = RegisterFile("default", 45, t.REGISTER_FILE_MAX_BYTES)
    macro = RegisterFile("default", 45, 4 * t.REGISTER_FILE_MAX_BYTES)
    assert ff.area_m2 / ff.capacity_bytes > macro.area_m2 / macro.capacity_bytes


def _timeloop_energies_pj() -> set[float]:
    """Every per-access energy Accelergy printed in the reference runs, pJ."""
    values = set()
    for stats in TIMELOOP.glob("*.stats.txt"):
        text = stats.read_text()
        values |= {float(x) for x in re.findall(r"(?:Vector access energy|Energy \(per-scalar-access\))\s+: ([\d.]+) pJ", text)}
    return {v for v in values if v > 0}


def test_default_tables_are_not_read_off_the_timeloop_outputs():
    """No storage or register energy of the independent table equals, per word of the reference
    designs, any access energy the Timeloop runs print (the opt-in ``accelergy_timeloop`` table
    does). DRAM is the exception the docs state: its default is Accelergy's LPDDR4 entry, the
    figure the runs print, so DRAM energy is never compared with them (only its access counts)."""
    printed = _timeloop_energies_pj()
    assert printed

    def matches(table) -> set[float]:
        per_byte = [pj for _, pj in table.storage_pj_per_byte] + [8 * table.register_pj_per_bit]
        return {p for pj_per_byte in per_byte for word_bytes in (1, 2, 8) for p in printed
                if abs(pj_per_byte * word_bytes - p) <= 0.01 * p}

    assert not matches(Independent)
    assert matches(TECHNOLOGIES.get("accelergy_timeloop"))


def test_an_unknown_technology_is_an_infeasible_design_naming_the_field():
    hw = SystolicArray(technology="nonesuch")
    cost = cost_model_for(hw).evaluate(_net(), hw)
    assert not cost.feasible
    assert any(r.startswith("technology: unknown pricing technology 'nonesuch'") for r in cost.infeasible_reasons)


@TECHNOLOGIES.register("_test_double_registers")
class _DoubleRegisters(Independent):
    """The default tables with flip-flops twice as costly (a test technology)."""

    register_pj_per_bit = 2 * Independent.register_pj_per_bit


@pytest.mark.parametrize("hw", [SystolicArray(), SpatialArray()], ids=["systolic", "spatial"])
def test_both_cost_models_price_only_through_the_technology(hw):
    """A new technology changes exactly what it re-prices in both models: no model keeps a copy
    of a register price."""
    base = cost_model_for(hw).evaluate(_net(), hw)
    other_hw = hw.replace(technology="_test_double_registers")
    other = cost_model_for(other_hw).evaluate(_net(), other_hw)
    b, o = base.energy_by_component_j, other.energy_by_component_j
    assert o["mac"] == b["mac"] and o["dram"] == b["dram"] and o["buffer"] == b["buffer"]
    assert o["rf"] > b["rf"]
    if isinstance(hw, SystolicArray):
        assert o["rf"] == pytest.approx(2 * b["rf"])     # the systolic RF is only flip-flops


def test_an_inter_pe_hop_is_priced_by_one_rule_in_both_models():
    """Both models charge a hop the NocHop price at their own PE's pitch (from their area)."""
    import math

    sys_hw = SystolicArray(bits=16, acc_bits=16, tech_nm=45)
    sp_hw = SpatialArray(bits=16, psum_bits=16, tech_nm=45)
    net = _net()
    macs = sum(layer.macs for layer in net.layers if layer.is_mac)
    for hw, hop_bits in ((sys_hw, 16 + 16), (sp_hw, 16)):      # ws: input right and psum down
        cost = cost_model_for(hw).evaluate(net, hw)
        pitch = math.sqrt(cost.area_mm2_breakdown["pe_array"] * 1e-6 / hw.num_pes)
        hop = NocHop("default", 45, hop_bits, pitch).energy_j("hop")
        hops = cost.energy_by_component_j["noc"] / hop
        if isinstance(hw, SystolicArray):
            assert hops == pytest.approx(macs)                   # one hop per MAC
        else:                                                     # a whole number of psum hops
            assert hops > 0 and hops == pytest.approx(round(hops), rel=1e-9)


def test_hops_follow_the_pe_size():
    """Eyeriss's own PE (the preset's 16-bit MAC and 520 B of scratchpads, at 45 nm) pays close to
    [Chen16]'s 2x a 16-bit MAC per 16-bit hop; a systolic PE (8-bit MAC and three registers) sits
    closer to its neighbour and pays less, but never less than the register it writes."""
    import math

    from codesign.costmodel.spatial import SpatialCostModel
    from codesign.costmodel.systolic import SystolicCostModel

    mac16 = Mac("default", 45, 16, 16).energy_j("mac")
    eyeriss = NocHop("default", 45, 16, math.sqrt(SpatialCostModel.pe_area_m2(SpatialArray(tech_nm=45))))
    systolic = NocHop("default", 45, 16, math.sqrt(SystolicCostModel.pe_area_m2(SystolicArray(tech_nm=45))))
    assert eyeriss.energy_j("hop") == pytest.approx(2 * mac16, rel=0.3)
    assert Register("default", 45, 16).energy_j("write") < systolic.energy_j("hop") < eyeriss.energy_j("hop")


def test_the_accumulator_width_is_a_parameter_of_both_models():
    for hw, field in ((SystolicArray(), "acc_bits"), (SpatialArray(), "psum_bits")):
        narrow = hw.replace(**{field: 16})
        wide = hw.replace(**{field: 32})
        e = [cost_model_for(h).evaluate(_net(), h) for h in (narrow, wide)]
        assert e[0].energy_by_component_j["mac"] < e[1].energy_by_component_j["mac"]
        if field == "acc_bits":   # (a spatial PE's area also moves with its RF split, not monotone)
            assert e[0].area_mm2_breakdown["pe_array"] < e[1].area_mm2_breakdown["pe_array"]


def test_prices_are_computed_once_per_hardware():
    from codesign.costmodel import spatial, systolic

    for module, fn, hw in ((systolic, "_prices", SystolicArray(rows=24)), (spatial, "_constants", SpatialArray(rows=9))):
        cached = getattr(module, fn)
        cost_model_for(hw).evaluate(_net(), hw)
        misses = cached.cache_info().misses
        cost_model_for(hw).evaluate(_net(), hw)
        assert cached.cache_info().misses == misses


def test_a_new_component_prices_itself_from_the_tables():
    """A template's own component (here a PE with a MAC and its registers) composes the layer's
    components; no constant is copied."""

    @dataclass(frozen=True)
    class Pe(Component):
        bits: int = 8

        def actions(self) -> dict[str, float]:
            mac = Mac(self.technology, self.node_nm, self.bits, 4 * self.bits)
            reg = Register(self.technology, self.node_nm, 2 * self.bits)
            return {"mac": mac.energy_j("mac") + reg.energy_j("read")}

    assert Pe("default", 28).energy_j("mac") < Pe("default", 65).energy_j("mac")
    assert Pe("default", 28).energy_j("mac") != Pe("_test_double_registers", 28).energy_j("mac")


def test_reported_energy_components_add_up_to_each_layer_on_every_preset():
    """Reports and plots read ``ENERGY_COMPONENTS`` from the per-layer rows; those columns must
    account for each layer's whole energy on every preset (the clock network included)."""
    from codesign.costmodel.result import ENERGY_COMPONENTS
    from codesign.hardware.presets import load_accelerator, presets

    for name in presets():
        hw = load_accelerator(name)
        for row in cost_model_for(hw).evaluate(_net(), hw).layer_rows():
            parts = sum(row[f"energy_{c}_j"] for c in ENERGY_COMPONENTS)
            assert parts == pytest.approx(row["energy_j"], rel=1e-12), (name, row["name"])


def test_presets_state_the_pricing_layers_published_figures():
    """A preset YAML cannot import a constant; where it states a published price, it must be the
    pricing layer's figure with that source (rounded as the YAML writes it)."""
    from codesign.hardware.presets import load_accelerator
    from codesign.pricing import DDR3_PJ_PER_BIT, EIE_CLOCK_SHARE

    for name in ("eyeriss", "tpu_v1"):
        assert load_accelerator(name).dram_pj_per_bit == pytest.approx(DDR3_PJ_PER_BIT, rel=2e-3), name
    assert load_accelerator("eyeriss").clock_share == pytest.approx(EIE_CLOCK_SHARE, rel=1e-3)
