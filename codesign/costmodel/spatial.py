"""Analytical cost model of the spatial PE array (``accelerators/spatial.py``), vectorised over
layers x candidate mappings.

For every MAC layer the dataflow (``codesign.costmodel.dataflows``) proposes candidate mappings:
a spatial unrolling over the PE array and temporal tilings for the register files and the global
buffer. ``codesign.costmodel.loopnest`` counts the accesses of each candidate at every level, and
this module prices them and picks one per layer by the goal (latency, energy or EDP):

- compute cycles: iterations per PE, ceil(bound / spatial unrolling) per dimension (PEs left idle
  by the unrolling show up as lost utilisation);
- latency: compute plus stalls where the dataflow's stationary operand is reloaded into PEs that
  cannot hold two tiles (Eyeriss's filter scratchpad between passes), overlapped with the NoC
  (global buffer <-> array), the global buffer's ports (``glb_gbps``: every buffer access, array
  side and DRAM fills) and DRAM transfers, whichever is longest, plus the first tile's load;
- DRAM traffic: activations cross the link run-length coded when ``rlc_zeros`` > 0
  (``codesign.costmodel.compression``); weights and partial sums raw;
- mapping constraints: candidates that unroll a dimension ``spatial_dims`` does not allow are
  masked out (``codesign.costmodel.mapping_constraints``);
- energy: MACs, operand registers and scratchpads ("rf"), partial sums passed between PEs
  ("noc"), global buffer and DRAM accesses, vector work (fused activations, pooling, adds), the
  clock network at ``clock_share`` of that dynamic energy (``codesign.pricing.clock``),
  and leakage of all SRAM over the latency.

Vector layers run on the PE array's ALUs (rows x cols lanes) reading and writing the global buffer.
An activation that the previous layer left in the global buffer (both halves of it: one for the
output being written, one for the input being read) is not re-read from DRAM.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from accelerators.spatial import SpatialArray
from codesign.costmodel.base import COST_MODELS, CostModel
from codesign.costmodel.compression import rlc_factor
from codesign.costmodel.dataflows import DATAFLOWS, Candidates, HardwareView, rf_partition
from codesign.costmodel.loopnest import Shape, analyse, is_scalar
from codesign.costmodel.mapping_constraints import spatial_violations
from codesign.costmodel.residency import activation_residency
from codesign.costmodel.result import NetworkCost
from codesign.pricing import SRAM, DramInterface, Mac, NocHop, Register, RegisterFile, VectorUnit
from codesign.pricing.clock import ClockNetwork
from codesign.pricing.component import PJ
from codesign.workload import Workload

_KIB = 1024.0
#: A candidate mapping generator: (layer shapes, hardware, search batch?, tiling?) -> candidates.
MappingFn = Callable[[Shape, HardwareView, bool, bool], Candidates]


def layer_shape(workload: Workload, unique: bool = False) -> tuple[np.ndarray, Shape, np.ndarray]:
    """(indices of the MAC layers, their per-group loop bounds, row of each MAC layer in the
    shape), cached on the workload. With ``unique`` the shape holds each distinct layer once.

    A batched matmul (both operands activations) maps its batch onto the group dimension, since
    its second operand changes with the batch like a weight changes with the group."""
    cache = workload.__dict__.setdefault("_spatial_shape", {})
    key = "unique" if unique else "all"
    if key in cache:
        return cache[key]
    a = workload.arrays
    idx = np.nonzero(a.is_mac)[0]
    col = lambda x: np.asarray(x, dtype=float)[idx][:, None]  # noqa: E731
    groups = col(a.groups)
    matmul = np.array([workload.layers[i].op == "matmul" for i in idx], dtype=bool)[:, None]
    n = col(a.N)
    bounds = [np.where(matmul, 1.0, n), col(a.K) / groups, col(a.C) / groups, col(a.P), col(a.Q), col(a.R),
              col(a.S), np.where(matmul, n * groups, groups)]
    sh, sw, dh, dw = col(a.stride_h), col(a.stride_w), col(a.dilation_h), col(a.dilation_w)
    h_full = (bounds[3] - 1) * sh + (bounds[5] - 1) * dh + 1
    w_full = (bounds[4] - 1) * sw + (bounds[6] - 1) * dw + 1
    ratio = col(a.H) * col(a.W) / (h_full * w_full)
    columns = [*bounds, sh, sw, dh, dw, ratio]
    rows = np.arange(len(idx))
    if unique and len(idx):
        _, first, inverse = np.unique(np.hstack(columns), axis=0, return_index=True, return_inverse=True)
        if len(first) < len(idx):
            rows = inverse.reshape(-1)
            columns = [c[first] for c in columns]
    macs = np.prod(np.hstack(columns[:8]), axis=1, keepdims=True)
    shape = Shape(bounds=columns[:8], stride_h=columns[8], stride_w=columns[9], dilation_h=columns[10],
                  dilation_w=columns[11], input_ratio=columns[12], macs=macs)
    cache[key] = (idx, shape, rows)
    return cache[key]


@dataclass(frozen=True)
class _Constants:
    """Per-hardware prices (pJ) and sizes, from ``codesign.pricing`` (cached: a search re-scores
    the same hardware often)."""

    word: float
    psum: float
    glb_bytes: float
    pes: float
    e_glb: float
    write_ratio: float
    e_noc: float
    e_reg: float
    mac_pj: float
    add_pj: float
    dram_pj_per_byte: float
    noc_bpc: float
    dram_bpc: float
    glb_bpc: float
    #: DRAM bytes per activation byte after the link's run-length compression (1: raw).
    act_link: float
    area: dict[str, float]
    leakage_w: float
    clock: ClockNetwork
    #: What the dataflows' candidate generators read of the hardware.
    view: HardwareView


@lru_cache(maxsize=1024)
def _rf_pj_per_byte(technology: str, node_nm: float, capacity_bytes: float) -> float:
    """A register-file partition's energy per byte, pJ."""
    return RegisterFile(technology, node_nm, capacity_bytes).read_j_per_byte / PJ


@lru_cache(maxsize=512)
def _constants(hw: SpatialArray) -> _Constants:
    """The spatial array's components, priced once per configuration."""
    tn, node = hw.technology, hw.tech_nm
    glb_bytes = hw.glb_kib * _KIB
    glb = SRAM(tn, node, glb_bytes)
    rf = RegisterFile(tn, node, hw.rf_bytes)
    return _Constants(
        word=hw.bits / 8.0, psum=hw.psum_bits / 8.0, glb_bytes=glb_bytes, pes=float(hw.rows * hw.cols),
        e_glb=glb.read_j_per_byte / PJ, write_ratio=glb.tech.write_relative_to_read,
        e_noc=NocHop(tn, node, 8, math.sqrt(SpatialCostModel.pe_area_m2(hw))).energy_j("hop") / PJ, e_reg=Register(tn, node, 1).j_per_bit / PJ,
        mac_pj=Mac(tn, node, hw.bits, hw.psum_bits).energy_j("mac") / PJ,
        add_pj=VectorUnit(tn, node, hw.rows * hw.cols, hw.psum_bits).energy_j("op") / PJ,
        dram_pj_per_byte=DramInterface(tn, node, hw.dram_pj_per_bit).j_per_byte / PJ,
        noc_bpc=hw.noc_bytes_per_cycle, dram_bpc=hw.dram_bytes_per_cycle, glb_bpc=hw.glb_bytes_per_cycle,
        act_link=rlc_factor(hw.rlc_zeros, hw.bits) if hw.rlc_zeros > 0 else 1.0, area=SpatialCostModel.area_mm2(hw),
        leakage_w=glb.leakage_w + hw.rows * hw.cols * rf.leakage_w,
        clock=ClockNetwork(tn, node, hw.clock_share),
        view=HardwareView(rows=hw.rows, cols=hw.cols, rf_bytes=hw.rf_bytes, glb_bytes=glb_bytes,
                          word_bytes=hw.bits / 8.0, psum_bytes=hw.psum_bits / 8.0,
                          group_unroll=not hw.spatial_dims or "G" in hw.spatial_dims),
    )


class _LazyMappings(Sequence[str]):
    """Mapping descriptions, formatted only when read (a search never reads them)."""

    def __init__(self, n: int, mac_idx: np.ndarray, values: dict[str, np.ndarray],
                 describe: Callable[[dict[str, float]], str], reasons: list[str], resident_in: np.ndarray) -> None:
        self._n, self._reasons, self._resident = n, reasons, resident_in
        self._mac_idx = mac_idx
        self._pos_map: dict[int, int] | None = None
        self._values, self._describe = values, describe

    @property
    def _pos(self) -> dict[int, int]:
        """Layer index -> position among the MAC layers (built on first read)."""
        if self._pos_map is None:
            self._pos_map = {int(i): k for k, i in enumerate(self._mac_idx)}
        return self._pos_map

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        k = self._pos.get(int(i))
        if k is None:
            return "vector on PE ALUs, " + ("act on-chip" if self._resident[i] else "act from DRAM")
        if self._reasons[i]:
            return "no mapping fits"
        return self._describe({name: float(v[k]) for name, v in self._values.items()})

    def __iter__(self):  # type: ignore[override]
        """Every layer's description, as ``self[i]`` gives it, with each distinct set of knob
        values described once (a report of thousands of layers reads them all)."""
        names = list(self._values)
        columns = [np.asarray(v, dtype=float).tolist() for v in self._values.values()]
        memo: dict[tuple[float, ...], str] = {}
        for i in range(self._n):
            k = self._pos.get(i)
            if k is None or self._reasons[i]:
                yield self[i]
                continue
            key = tuple([column[k] for column in columns])
            text = memo.get(key)
            if text is None:
                text = self._describe(dict(zip(names, key, strict=True)))
                if 0.0 not in key:  # 0.0 == -0.0: a zero knob is described afresh each time
                    memo[key] = text
            yield text


@COST_MODELS.register("spatial")
class SpatialCostModel(CostModel):
    """Dataflow-specific candidate mappings, Timeloop-style access counts, cited energies."""

    templates = ("spatial",)

    def __init__(self, goal: str = "edp", tiling: bool = True, mapping: MappingFn | None = None) -> None:
        """``mapping`` replaces the dataflow's candidate search by a given mapping (for example
        ``FixedMapping`` or ``dataflows.rs_mapping``); ``tiling=False`` keeps whole output planes
        per pass."""
        super().__init__(goal=goal, tiling=tiling)
        self.mapping = mapping

    def _evaluate(self, workload: Workload, hw: SpatialArray) -> NetworkCost:  # type: ignore[override]
        a = workload.arrays
        n_layers = len(workload.layers)
        k = _constants(hw)
        word = k.word
        resident_in, resident_out = activation_residency(workload, k.glb_bytes / 2, k.glb_bytes / 2, word)
        cycles = np.zeros(n_layers)
        compute = np.zeros(n_layers)
        parts = {name: np.zeros(n_layers) for name in ("mac", "rf", "noc", "buffer", "dram")}
        traffic = {name: np.zeros(n_layers) for name in _TRAFFIC_KEYS}
        reasons = [""] * n_layers
        busy = np.zeros(n_layers)

        # -- vector layers: PE ALUs, global buffer in and out ------------------------------------
        vec = np.nonzero(~a.is_mac)[0]
        if len(vec):
            vin = a.input_elems[vec] * a.operands[vec] * word
            vout = a.output_elems[vec] * word
            d_in = np.where(resident_in[vec], 0.0, vin * k.act_link)
            d_out = np.where(resident_out[vec], 0.0, vout * k.act_link)
            alu = np.ceil(a.vector_ops[vec] / k.pes)
            on_chip = (vin + vout) / min(k.noc_bpc, k.glb_bpc)
            cycles[vec] = np.maximum(alu, np.maximum(on_chip, (d_in + d_out) / k.dram_bpc))
            compute[vec] = alu
            parts["buffer"][vec] = (vin + vout) * k.e_glb
            parts["dram"][vec] = (d_in + d_out) * k.dram_pj_per_byte
            for key, value in (("dram.read", d_in), ("dram.ifmap", d_in), ("dram.write", d_out),
                               ("dram.ofmap", d_out), ("glb.ifmap", vin), ("glb.psum", vout), ("noc", vin + vout)):
                traffic[key][vec] = value
        parts["vector"] = a.vector_ops * k.add_pj

        # -- MAC layers: candidate mappings ---------------------------------------------------------
        idx, shape, row = layer_shape(workload, unique=self.mapping is None)
        values: dict[str, np.ndarray] = {}
        describe: Callable[[dict[str, float]], str] = str
        if len(idx):
            values, describe = self._mac_layers(hw, k, shape, idx, row, resident_in, resident_out, cycles,
                                                compute, parts, traffic, reasons)
            busy[idx] = np.asarray(shape.macs)[row, 0]

        # clock network (zero unless the hardware models it; the key is always there)
        dynamic = parts["mac"] + parts["rf"] + parts["noc"] + parts["buffer"] + parts["vector"]
        parts["clock"] = k.clock.energy_for(dynamic)
        parts["leakage"] = k.leakage_w * cycles / hw.clock_hz
        energy = {name: v * 1e-12 if name != "leakage" else v for name, v in parts.items()}
        mapping = _LazyMappings(n_layers, idx, values, describe, reasons, resident_in)
        return NetworkCost(
            workload=workload, hardware=hw, cost_model=self.name, cycles=cycles, compute_cycles=compute,
            energy_parts_j=energy, traffic_bytes=traffic, mapping=mapping, reasons=reasons,  # type: ignore[arg-type]
            area_mm2_breakdown=dict(k.area), leakage_w=k.leakage_w, busy_pe_cycles=busy,
        )

    def _mac_layers(self, hw: SpatialArray, k: _Constants, shape: Shape, idx: np.ndarray, row: np.ndarray,
                    resident_in: np.ndarray, resident_out: np.ndarray, cycles: np.ndarray, compute: np.ndarray,
                    parts: dict[str, np.ndarray], traffic: dict[str, np.ndarray], reasons: list[str],
                    ) -> tuple[dict[str, np.ndarray], Callable[[dict[str, float]], str]]:
        """Score every candidate mapping of every MAC layer, keep the best by the goal, and fill the
        per-layer arrays in place."""
        word, psum = k.word, k.psum
        generate = self.mapping or DATAFLOWS[hw.dataflow]
        cand = generate(shape, k.view, shape.batched(), self.tiling)
        narrow, shape = shape, cand.shape
        t = analyse(cand.nest, shape)
        keep = cand.nest.keep
        size = {"W": word, "I": word, "O": psum}
        u = t.unique_outputs
        wf = k.write_ratio
        rd, wr = t.reads, t.writes

        # Output words leave as partial sums (psum width) except the final value of each of the u
        # outputs (word width): bytes = words * psum + u * (word - psum).
        # (Byte counts are never -0.0, so adding a zero changes nothing: it is skipped.)
        final_extra = 0.0 if word == psum else u * (word - psum)

        def finals(x):
            return x if word == psum else x + final_extra

        # Per distinct layer and candidate: everything but the DRAM traffic of activations that
        # the neighbouring layers may keep on chip.
        dram_fixed = rd["dram"]["W"] * word + (wr["dram"]["O"] + rd["dram"]["O"] - u) * psum
        dram_in = rd["dram"]["I"] * (word * k.act_link)
        array_bytes = finals((t.array["W"] + t.array["I"]) * word + t.array["O"] * psum)
        busy_cycles: np.ndarray | float = t.cycles
        startup: np.ndarray | float = 0.0
        for op in cand.nest.stationary:
            bw = k.noc_bpc if keep[op][1] else min(k.noc_bpc, k.dram_bpc)
            load = t.reload_words[op] * (size[op] / bw)
            # 1.0 where the stationary tile cannot be double-buffered (reloads stall the PEs)
            single = np.asarray(2.0 * size[op] * t.rf_tile[op] > cand.partition.get(op, 0.0), dtype=float)
            busy_cycles = busy_cycles + t.reloads[op] * load * single
            startup = load * (1.0 - single) if is_scalar(startup) and startup == 0.0 else startup + load * (1.0 - single)
        busy_cycles = np.maximum(busy_cycles, array_bytes * (1.0 / k.noc_bpc))
        # Global-buffer bytes read and written (outputs at psum width but their final values).
        glb_rd = (rd["glb"]["W"] + rd["glb"]["I"]) * word
        glb_wr = (wr["glb"]["W"] + wr["glb"]["I"]) * word
        if keep["O"][1]:
            glb_rd = finals(glb_rd + rd["glb"]["O"] * psum)
            glb_wr = finals(glb_wr + wr["glb"]["O"] * psum)
        if math.isfinite(k.glb_bpc):  # the buffer's ports serve the array and the DRAM fills alike
            busy_cycles = np.maximum(busy_cycles, (glb_rd + glb_wr) * (1.0 / k.glb_bpc))
        rf_pj = shape.macs * ((2 * hw.bits + hw.psum_bits) * k.e_reg)   # operand registers, per MAC
        for op in "WIO":
            if keep[op][0] and cand.partition.get(op, 0.0) > 0:
                e_rf = _rf_pj_per_byte(hw.technology, hw.tech_nm, cand.partition[op])
                rf_pj = rf_pj + (rd["rf"][op] + wf * wr["rf"][op]) * (size[op] * e_rf)
        glb_pj = (glb_rd + wf * glb_wr) * k.e_glb
        noc_pj = t.hops * (psum * k.e_noc)
        onchip_pj = rf_pj + noc_pj + glb_pj

        # Per layer: add the activations' DRAM traffic, score, pick.
        res_in = resident_in[idx][:, None].astype(float)
        res_out = resident_out[idx][:, None].astype(float)
        same = len(row) == shape.bounds[0].shape[0]     # no duplicate layers: rows are layers

        def expand(x):
            return x if same or is_scalar(x) else x[row]

        dram_bytes = (expand(dram_fixed) + expand(dram_in) * (1.0 - res_in)
                      + expand(u) * (word * k.act_link * (1.0 - res_out)))
        lat = np.maximum(expand(busy_cycles), dram_bytes * (1.0 / k.dram_bpc)) + expand(startup)
        energy_pj = expand(onchip_pj) + dram_bytes * k.dram_pj_per_byte
        score = self.score(lat, energy_pj)
        violates = spatial_violations(cand.nest, hw.spatial_dims, len(narrow.macs))
        legal = cand.fits_rf & cand.fits_glb
        score[~expand(legal & ~violates if hw.spatial_dims else legal)] = np.inf
        best = np.argmin(score, axis=1)
        chosen = np.arange(0, score.size, score.shape[1]) + best   # flat index of each layer's pick
        no_fit = ~np.isfinite(score.take(chosen))
        for j in np.nonzero(no_fit)[0]:
            reasons[idx[j]] = self._no_fit_reason(cand, int(row[j]), hw, violates)

        # Gather the chosen candidate's quantities: candidate-dependent ones in one indexing
        # operation, layer-only ones (one column) in another.
        names = ["compute", "rf", "noc", "buffer", "u", "dram_w", "dram_i", "dram_o_w", "dram_o_r", "glb_w",
                 "glb_i", "glb_o_r", "glb_o_w", "rf_w", "rf_i", "rf_o", "array", *cand.knobs]
        columns = [t.cycles, rf_pj, noc_pj, glb_pj, u, rd["dram"]["W"], rd["dram"]["I"], wr["dram"]["O"],
                   rd["dram"]["O"], rd["glb"]["W"] + wr["glb"]["W"], rd["glb"]["I"] + wr["glb"]["I"],
                   rd["glb"]["O"], wr["glb"]["O"], rd["rf"]["W"] + wr["rf"]["W"], rd["rf"]["I"] + wr["rf"]["I"],
                   rd["rf"]["O"] + wr["rf"]["O"], array_bytes, *cand.knobs.values()]
        got = _gather(names, columns, row, best, shape.macs.shape)
        cycles[idx] = lat.take(chosen)
        compute[idx] = got["compute"]
        parts["mac"][idx] = narrow.macs[row, 0] * k.mac_pj
        parts["rf"][idx], parts["noc"][idx], parts["buffer"][idx] = got["rf"], got["noc"], got["buffer"]
        parts["dram"][idx] = dram_bytes.take(chosen) * k.dram_pj_per_byte
        uu = got["u"]
        dram_w = got["dram_w"] * word
        dram_i = np.where(resident_in[idx], 0.0, got["dram_i"] * (word * k.act_link))
        o_final = np.where(resident_out[idx], 0.0, uu * (word * k.act_link))
        spill_w, spill_r = (got["dram_o_w"] - uu) * psum, got["dram_o_r"] * psum
        glb_o = (got["glb_o_r"] + got["glb_o_w"] - 2 * uu) * psum + 2 * uu * word if keep["O"][1] else 0.0
        for key, value in (("dram.weights", dram_w), ("dram.ifmap", dram_i), ("dram.ofmap", o_final),
                           ("dram.psum", spill_w + spill_r), ("dram.read", dram_w + dram_i + spill_r),
                           ("dram.write", o_final + spill_w), ("glb.weights", got["glb_w"] * word),
                           ("glb.ifmap", got["glb_i"] * word), ("glb.psum", glb_o), ("rf.weights", got["rf_w"] * word),
                           ("rf.ifmap", got["rf_i"] * word), ("rf.psum", got["rf_o"] * psum), ("noc", got["array"])):
            traffic[key][idx] = value
        bad = idx[no_fit]
        if len(bad):  # a layer no mapping fits has no cost, not the cost of an illegal mapping
            for array in (cycles, compute, *parts.values(), *traffic.values()):
                array[bad] = np.nan
        return {name: got[name] for name in cand.knobs}, cand.describe

    @staticmethod
    def _no_fit_reason(cand: Candidates, k: int, hw: SpatialArray, violates: np.ndarray) -> str:
        if cand.uncovered is not None and np.all(cand.uncovered[k]):
            return "the given mapping does not cover every loop bound of the layer"
        fits = np.broadcast_to(cand.fits_rf[k] & cand.fits_glb[k], np.broadcast(cand.fits_rf[k], violates[k]).shape)
        if np.any(fits) and np.all(np.broadcast_to(violates[k], fits.shape)[fits]):
            return (f"no {hw.dataflow} mapping that fits unrolls only the dimensions spatial_dims={hw.spatial_dims!r} "
                    "allows over the PE array")
        if not np.any(cand.fits_rf[k]):
            parts = ", ".join(f"{op} {cand.partition[op]:g} B" for op in "WIO" if cand.partition.get(op, 0) > 0)
            return (f"no {hw.dataflow} mapping fits the {hw.rf_bytes:g} B register file per PE "
                    f"(split {parts}; one filter row or tile does not fit)")
        return f"no {hw.dataflow} mapping fits the {hw.glb_kib:g} KiB global buffer (smallest tile too large)"

    @staticmethod
    def pe_area_m2(hw: SpatialArray) -> float:
        """One PE: MAC, operand registers and the register file as the dataflow splits it."""
        tn, node = hw.technology, hw.tech_nm
        rf_m2 = sum(RegisterFile(tn, node, b).area_m2
                    for b in rf_partition(hw.dataflow, hw.rf_bytes, hw.bits / 8, hw.psum_bits / 8).values())
        regs_m2 = Register(tn, node, 2 * hw.bits + hw.psum_bits).area_m2
        return Mac(tn, node, hw.bits, hw.psum_bits).area_m2 + rf_m2 + regs_m2

    @staticmethod
    def area_mm2(hw: SpatialArray) -> dict[str, float]:
        """Area by block at ``hw.tech_nm``: PEs (MAC, operand registers, register file), global buffer."""
        return {
            "pe_array": hw.rows * hw.cols * SpatialCostModel.pe_area_m2(hw) * 1e6,
            "sram": SRAM(hw.technology, hw.tech_nm, hw.glb_kib * _KIB).area_m2 * 1e6,
        }


def _gather(names: list[str], columns: list, row: np.ndarray, best: np.ndarray, size: tuple[int, int]
            ) -> dict[str, np.ndarray]:
    """``column[row, best]`` for each column, the per-candidate arrays being of shape ``size``
    (rows, candidates) or broadcast to it: one row, one column (per row), or scalars."""
    n_rows, n_cols = size
    chosen = row * n_cols + best
    out = {}
    for name, col in zip(names, columns, strict=True):
        if is_scalar(col):
            out[name] = np.full(len(row), float(col))
            continue
        rows, cols = col.shape
        if rows == n_rows and cols == n_cols:
            out[name] = col.take(chosen)
        elif cols == n_cols:
            out[name] = col.take(best)
        elif rows == n_rows:
            out[name] = col.take(row)
        else:
            out[name] = np.full(len(row), float(col.flat[0]))
    return out


_TRAFFIC_KEYS = ("dram.read", "dram.write", "dram.weights", "dram.ifmap", "dram.psum", "dram.ofmap",
                 "glb.weights", "glb.ifmap", "glb.psum", "rf.weights", "rf.ifmap", "rf.psum", "noc")
