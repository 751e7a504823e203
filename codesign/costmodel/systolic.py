"""Analytical cost model of a systolic array (``accelerators/systolic.py``), vectorised over
layers and candidate tilings.

Compute cycles follow SCALE-Sim's folding (Samajdar et al., ISPASS 2020): a layer is a GEMM of
``Mpx = N*P*Q`` output pixels x ``Kw = C/groups*R*S`` window x ``F = K/groups`` filters, per group.

| dataflow | array rows ← | array cols ← | streamed (T) | cycles per fold      |
|----------|--------------|--------------|--------------|----------------------|
| ws       | Kw           | F            | Mpx          | 2*rows + cols + T - 2 |
| os       | Mpx          | F            | Kw           | rows + cols + T - 2   |
| is       | Kw           | Mpx          | F            | 2*rows + cols + T - 2 |

with ``ceil(rows-side / rows) * ceil(cols-side / cols)`` folds per group, and SCALE-Sim's
report subtracting one cycle per layer. This reproduces SCALE-Sim's compute cycles exactly
(``tests/costmodel/test_scalesim_fidelity.py``).

SCALE-Sim has no grouped convolutions; here each group is a GEMM of its own, and in ws and is
groups whose folds fit the array together are packed block-diagonally (several groups per fold),
which is how depthwise layers avoid leaving all but one column idle.

Beyond SCALE-Sim, the model also searches one temporal tiling per layer: the streamed dimension of ws
and is is split into chunks so that partial sums fit the ofmap SRAM, at the price of a pipeline
fill per chunk and of re-reading the stationary operand. Every candidate is scored at once with
numpy and the best by the configured goal (latency, energy or EDP) is kept. DRAM traffic counts
each operand once when it fits its SRAM and once per pass over it otherwise; an activation that
the previous layer left in the ofmap SRAM and that fits the ifmap SRAM is not re-read from DRAM.
Latency overlaps compute with DRAM transfers (double buffering) and adds the first tile's load.

What real TPUs add to the bare array (several MXUs sharing a layer's folds, a fixed time per
operation, on-chip parameter caching and a host link) is in ``codesign/costmodel/tpu_overheads.py``;
at the template's defaults (one array, no overhead, no cache, no host link) none of it applies.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from accelerators.systolic import SystolicArray
from codesign.costmodel import tpu_overheads as tpu
from codesign.costmodel.base import COST_MODELS, CostModel
from codesign.costmodel.residency import activation_residency
from codesign.costmodel.result import NetworkCost
from codesign.pricing import SRAM, DramInterface, Mac, NocHop, Register, VectorUnit
from codesign.pricing.component import PJ
from codesign.workload import Workload

# Candidate chunk counts of the streamed dimension (1 = no tiling).
_CHUNKS = 2.0 ** np.arange(0, 13)
_KIB = 1024.0


@dataclass(frozen=True)
class _Prices:
    """Per-hardware prices in pJ (per byte of each SRAM, per MAC, per register or hop bit, per
    vector op, per DRAM byte), area and leakage, from ``codesign.pricing``; cached per hardware."""

    if_rd: float
    if_wr: float
    fl_rd: float
    fl_wr: float
    of_rd: float
    of_wr: float
    mac: float
    reg_bit: float
    hop_bit: float
    vec_op: float
    dram_byte: float
    area: dict[str, float]
    leakage_w: float


@lru_cache(maxsize=512)
def _prices(hw: SystolicArray) -> _Prices:
    """The systolic array's components, priced once per configuration."""
    tn, node = hw.technology, hw.tech_nm
    srams = [SRAM(tn, node, kib * _KIB) for kib in (hw.ifmap_sram_kib, hw.filter_sram_kib, hw.ofmap_sram_kib)]
    (if_rd, fl_rd, of_rd), (if_wr, fl_wr, of_wr) = ([m.read_j_per_byte / PJ for m in srams],
                                                    [m.write_j_per_byte / PJ for m in srams])
    return _Prices(
        if_rd=if_rd, if_wr=if_wr, fl_rd=fl_rd, fl_wr=fl_wr, of_rd=of_rd, of_wr=of_wr,
        mac=Mac(tn, node, hw.bits, hw.acc_bits).energy_j("mac") / PJ,
        reg_bit=Register(tn, node, 1).j_per_bit / PJ,
        hop_bit=NocHop(tn, node, 1, math.sqrt(SystolicCostModel.pe_area_m2(hw))).j_per_bit / PJ,
        vec_op=VectorUnit(tn, node, hw.cols, hw.acc_bits).energy_j("op") / PJ,
        dram_byte=DramInterface(tn, node, hw.dram_pj_per_bit).j_per_byte / PJ,
        area=SystolicCostModel.area_mm2(hw), leakage_w=sum(m.leakage_w for m in srams),
    )


def _ceil_div(a: np.ndarray, b: np.ndarray | float) -> np.ndarray:
    return np.ceil(a / b)


@COST_MODELS.register("systolic")
class SystolicCostModel(CostModel):
    """SCALE-Sim folding for cycles, tiled DRAM traffic, cited energies and areas."""

    templates = ("systolic",)

    def _evaluate(self, workload: Workload, hw: SystolicArray) -> NetworkCost:  # type: ignore[override]
        a = workload.arrays
        n_layers = len(workload.layers)
        rows, cols = float(hw.rows), float(hw.cols)
        word = hw.bits / 8.0
        acc = hw.acc_bits / 8.0
        s_if, s_fl, s_of = (hw.ifmap_sram_kib * _KIB, hw.filter_sram_kib * _KIB, hw.ofmap_sram_kib * _KIB)
        bw = hw.dram_bytes_per_cycle
        p = _prices(hw)   # pJ, built once per hardware

        g = a.groups.astype(float)
        mpx = (a.N * a.P * a.Q).astype(float)
        kw = (a.C // a.groups * a.R * a.S).astype(float)
        f = (a.K // a.groups).astype(float)
        in_b = a.input_elems * word / g           # per group
        w_b = a.weight_elems * word / g
        out_b = a.output_elems * word / g

        flow = hw.dataflow
        if flow == "ws":
            side_r, side_c, stream = kw, f, mpx
        elif flow == "os":
            side_r, side_c, stream = mpx, f, kw
        else:  # "is"
            side_r, side_c, stream = kw, mpx, f
        base = (rows + cols - 2.0) if flow == "os" else (2.0 * rows + cols - 2.0)
        fr = _ceil_div(side_r, rows)
        fc = _ceil_div(side_c, cols)
        used_c = np.minimum(side_c, cols)
        # Grouped convs: in ws and is, small groups are packed block-diagonally, several at once.
        if flow == "os":
            packed = np.ones_like(g)
        else:
            fits = (side_r <= rows) & (side_c <= cols)
            packed = np.where(fits, np.maximum(1.0, np.minimum(np.minimum(rows // side_r, cols // side_c), g)), 1.0)
        group_passes = np.ceil(g / packed)

        # Candidate tilings (L x J): chunks of the streamed dimension; os keeps psums in PEs.
        chunks = _CHUNKS[None, :] if flow != "os" and self.tiling else np.ones((1, 1))
        nch = np.minimum(chunks, stream[:, None])
        t = np.ceil(stream[:, None] / nch)
        nch = np.ceil(stream[:, None] / t)
        rounds = tpu.fold_rounds(group_passes * fr * fc, hw.arrays)
        mac_cycles = rounds[:, None] * (nch * base + stream[:, None]) - 1.0

        # DRAM traffic per group, then x groups.
        ones = np.ones_like(t)
        if flow == "ws":
            w_passes = np.where((kw * used_c * word <= s_fl)[:, None], ones, nch)
            i_passes = np.where(in_b <= s_if, 1.0, fc)[:, None] * ones
            psum_fits = t * used_c[:, None] * acc <= s_of
        elif flow == "is":
            w_passes = np.where(w_b <= s_fl, 1.0, fc)[:, None] * ones
            i_passes = np.where((in_b <= s_if)[:, None], ones, nch)
            psum_fits = used_c[:, None] * t * acc <= s_of
        else:
            w_passes = np.where(w_b <= s_fl, 1.0, fr)[:, None] * ones
            window_slice = in_b * np.minimum(1.0, rows / mpx) * np.maximum(1.0, a.R * a.S / (a.stride_h * a.stride_w))
            i_passes = np.where(window_slice <= s_if, 1.0, fc)[:, None] * ones
            psum_fits = np.ones_like(t, dtype=bool)
        spill_rounds = np.where(psum_fits, 0.0, (fr - 1.0)[:, None])
        psum_bytes = mpx * f * acc                                     # per group, at acc width
        cached = tpu.cached_parameters(workload, hw.param_cache_kib * _KIB, word)
        dram_w_rd = (w_b * tpu.weights_from_dram(cached, hw.host_gbps))[:, None] * w_passes
        dram_i_rd = in_b[:, None] * i_passes
        dram_psum = spill_rounds * psum_bytes[:, None]                 # written and read back
        dram_o_wr = out_b[:, None] * ones

        # Vector layers and fused post-ops run on cols lanes.
        mac_mask = a.is_mac
        vec_cycles = np.ceil(a.vector_ops / (cols * hw.arrays))
        vec_in_b = a.input_elems * word * a.operands
        resident_in, resident_out = activation_residency(workload, s_if, s_of, word)

        # Assemble per-candidate totals (L x J); vector layers have one candidate (column 0).
        gcol = g[:, None]
        dram_rd = np.where(mac_mask[:, None], gcol * (dram_w_rd + dram_i_rd * ~resident_in[:, None] + dram_psum),
                           (vec_in_b * ~resident_in)[:, None] * ones)
        dram_wr = np.where(mac_mask[:, None], gcol * (dram_o_wr * ~resident_out[:, None] + dram_psum),
                           (a.output_elems * word * ~resident_out)[:, None] * ones)
        compute = np.where(mac_mask[:, None], mac_cycles, vec_cycles[:, None] * ones)
        first_tile = np.minimum(dram_rd, rows * cols * word) if flow != "os" else np.zeros_like(dram_rd)
        cycles = np.maximum(compute, (dram_rd + dram_wr) / bw) + first_tile / bw
        if hw.op_overhead_us > 0 or hw.host_gbps > 0:
            cycles = cycles + tpu.added_cycles(workload, hw, cached, word)[:, None]

        # SRAM accesses (bytes) per operand, as SCALE-Sim counts them, plus fills and drains.
        if flow == "ws":
            if_rd, fl_rd = fc * mpx * kw * word, kw * f * word
            of_wr = np.where(fr > 1, fr * mpx * f * acc, mpx * f * word)
        elif flow == "os":
            if_rd, fl_rd = fc * mpx * kw * word, fr * kw * f * word
            of_wr = mpx * f * word
        else:
            if_rd, fl_rd = mpx * kw * word, fc * kw * f * word
            of_wr = np.where(fr > 1, fr * mpx * f * acc, mpx * f * word)
        of_rd = np.maximum(fr - 1.0, 0.0) * mpx * f * acc if flow != "os" else np.zeros_like(fr)
        if_rd = if_rd[:, None] * (i_passes if flow == "is" else ones)
        fl_rd = fl_rd[:, None] * (w_passes if flow == "ws" else ones)
        # Reads and writes of each SRAM; DRAM fills are SRAM writes.
        buf_mac_pj = gcol * (if_rd * p.if_rd + fl_rd * p.fl_rd + (of_wr * p.of_wr + of_rd * p.of_rd)[:, None]
                             + dram_i_rd * p.if_wr + dram_w_rd * p.fl_wr + dram_psum * (p.of_wr + p.of_rd))
        buf_vec_pj = (vec_in_b * p.if_rd + a.output_elems * word * p.of_wr)[:, None] * ones
        buffer_pj = np.where(mac_mask[:, None], buf_mac_pj, buf_vec_pj)
        dram_pj = (dram_rd + dram_wr) * p.dram_byte

        # PE-level energy: the stationary operand read and the inter-PE hops of every MAC.
        rf_bits, hop_bits = {"ws": (hw.bits, hw.bits + hw.acc_bits),
                             "os": (2 * hw.acc_bits, 2 * hw.bits),
                             "is": (hw.bits, hw.bits + hw.acc_bits)}[flow]
        macs = a.macs
        mac_pj = macs * p.mac
        rf_pj = macs * rf_bits * p.reg_bit
        noc_pj = macs * hop_bits * p.hop_bit
        vec_pj = a.vector_ops * p.vec_op

        # Choose a tiling per layer by the goal.
        on_chip_pj = buffer_pj + dram_pj
        score = self.score(cycles, on_chip_pj)
        if score.shape[1] > 1:
            score = np.where(mac_mask[:, None], score, np.where(np.arange(score.shape[1]) == 0, score, np.inf))
        best = np.argmin(score, axis=1)
        pick = (np.arange(n_layers), best)

        area = dict(p.area)
        leakage_w = p.leakage_w
        cyc = cycles[pick]
        energy = {
            "mac": mac_pj * 1e-12,
            "rf": rf_pj * 1e-12,
            "noc": noc_pj * 1e-12,
            "buffer": buffer_pj[pick] * 1e-12,
            "dram": dram_pj[pick] * 1e-12,
            "vector": vec_pj * 1e-12,
            # no clock-network term in this template (``clock_share`` is the spatial template's)
            "clock": np.zeros(n_layers),
            "leakage": leakage_w * cyc / hw.clock_hz,
        }
        mac_g = np.where(mac_mask, g, 0.0)
        traffic = {
            "dram.read": dram_rd[pick], "dram.write": dram_wr[pick],
            "dram.weights": mac_g * dram_w_rd[pick],
            "dram.ifmap": np.where(mac_mask, g * dram_i_rd[pick], vec_in_b) * ~resident_in,
            "dram.psum": 2 * mac_g * dram_psum[pick],
            "dram.ofmap": a.output_elems * word * ~resident_out,
            "sram.ifmap.read": np.where(mac_mask, g * if_rd[pick], vec_in_b),
            "sram.weights.read": mac_g * fl_rd[pick],
            "sram.ofmap.write": np.where(mac_mask, g * of_wr, a.output_elems * word),
            "sram.ofmap.read": mac_g * of_rd,
        }
        reasons = self._fit_problems(workload, hw, s_if, s_fl, s_of, word, acc)
        mapping = self._describe(workload, flow, fr, fc, packed, nch[pick], t[pick], resident_in)
        return NetworkCost(
            workload=workload, hardware=hw, cost_model=self.name, cycles=cyc,
            compute_cycles=compute[pick], energy_parts_j=energy, traffic_bytes=traffic,
            mapping=mapping, reasons=reasons, area_mm2_breakdown=area, leakage_w=leakage_w,
            busy_pe_cycles=macs.copy(),
        )

    @staticmethod
    def _fit_problems(workload: Workload, hw: SystolicArray, s_if: float, s_fl: float, s_of: float,
                      word: float, acc: float) -> list[str]:
        """A layer cannot run when even its smallest tile does not fit the SRAMs (os drains
        finished outputs, at word width, from the PEs to the ofmap SRAM)."""
        need = {"ws": (hw.rows * word, hw.rows * hw.cols * word, hw.cols * acc),
                "os": (hw.rows * word, hw.cols * word, hw.rows * hw.cols * word),
                "is": (hw.rows * hw.cols * word, hw.rows * word, hw.cols * acc)}[hw.dataflow]
        problems = []
        for sram, size, needed in zip(("ifmap", "filter", "ofmap"), (s_if, s_fl, s_of), need, strict=True):
            if needed > size:
                problems.append(f"{sram} SRAM ({size / _KIB:g} KiB) is smaller than one "
                                f"{hw.dataflow} tile ({needed / _KIB:g} KiB)")
        reason = "; ".join(problems)
        return [reason if layer.is_mac else "" for layer in workload.layers]

    @staticmethod
    def _describe(workload: Workload, flow: str, fr: np.ndarray, fc: np.ndarray, packed: np.ndarray,
                  nch: np.ndarray, t: np.ndarray, resident: np.ndarray) -> list[str]:
        out = []
        for i, layer in enumerate(workload.layers):
            where = "act on-chip" if resident[i] else "act from DRAM"
            if layer.is_mac:
                groups = f" x{layer.groups} groups ({int(packed[i])} packed)" if layer.groups > 1 else ""
                out.append(f"{flow} folds {int(fr[i])}x{int(fc[i])}{groups}, {int(nch[i])} chunk(s) of "
                           f"{int(t[i])}, {where}")
            else:
                out.append(f"vector unit, {where}")
        return out

    @staticmethod
    def pe_area_m2(hw: SystolicArray) -> float:
        """One PE: MAC, two operand registers and the accumulator register."""
        tn, node = hw.technology, hw.tech_nm
        return Mac(tn, node, hw.bits, hw.acc_bits).area_m2 + Register(tn, node, 2 * hw.bits + hw.acc_bits).area_m2

    @staticmethod
    def area_mm2(hw: SystolicArray) -> dict[str, float]:
        """Area by block at ``hw.tech_nm``: PEs, the three SRAMs, the vector unit."""
        tn, node = hw.technology, hw.tech_nm
        srams = (hw.ifmap_sram_kib, hw.filter_sram_kib, hw.ofmap_sram_kib)
        return {
            "pe_array": hw.num_pes * SystolicCostModel.pe_area_m2(hw) * 1e6,
            "sram": sum(SRAM(tn, node, kib * _KIB).area_m2 for kib in srams) * 1e6,
            "vector_unit": VectorUnit(tn, node, hw.cols * hw.arrays, hw.acc_bits).area_m2 * 1e6,
        }
