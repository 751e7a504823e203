"""Dataflows of the spatial template: which loops are unrolled over the PE array, which operand
stays in each PE's register file, and the candidate tilings the mapping search scores.

A dataflow turns the layers (rows) and a grid of knob settings (columns) into one ``LoopNest``;
knobs that do not apply to a layer are clipped, so every column is a legal mapping or is masked
out by the capacity checks (``Candidates.fits``).

- ``rs`` row stationary (Chen et al., ISCA 2016 and JSSC 2017): filter rows R on PE rows, output
  rows P on PE columns (the ifmap rows meet on the diagonals), a set of R x e PEs folded onto the
  array when e exceeds its width and replicated over input channels (r), filters (t) and groups;
  partial sums move only between vertically adjacent PEs, so the r channel replicas, whose partial
  sums are added up in the array, are stacked vertically (filter and group replicas may also sit
  side by side: JSSC 2017, Table III, CONV1 puts t = 2 sets of 11 x 7 next to each other, CONV4/5
  stack r = 2 x t = 2 sets of 3 x 13); each PE keeps p filters x q channels of one filter row (p*q*S weights), a sliding window of q*S
  inputs and p partial sums; the global buffer holds the ifmap strip and the partial sums of m
  filters, weights come from DRAM (Eyeriss's buffer holds no weights). Pass order m -> C -> E -> M
  (JSSC 2017, Sec. IV).
- ``ws`` weight stationary (NVDLA-like): input channels (and, when few, filter taps) on PE rows,
  filters and groups on PE columns; each PE keeps its weights while all output pixels of a strip
  stream through, partial sums are reduced down the columns into the global buffer.
- ``os`` output stationary (ShiDianNao-like, Du et al. ISCA 2015): output pixels on the array
  (P x Q, or pixels x filters), each PE accumulates its outputs over C x R x S before they leave;
  weights are broadcast and inputs shared between neighbouring PEs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from codesign.costmodel.loopnest import (
    C,
    G,
    K,
    Loop,
    LoopNest,
    N,
    P,
    Q,
    R,
    S,
    Shape,
    is_scalar,
    window,
)

#: Scratchpads of the row-stationary PE in words: Eyeriss's 224-entry filter, 12-entry ifmap and
#: 24-entry psum scratchpads (Chen et al., JSSC 2017, Table IV: 448 B, 24 B and 48 B of 16-bit
#: words). The ifmap and psum ones keep their size; the filter scratchpad gets the rest of
#: ``rf_bytes``.
EYERISS_FILTER_SPAD_WORDS = 224
EYERISS_IFMAP_SPAD_WORDS = 12
EYERISS_PSUM_SPAD_WORDS = 24


@dataclass(frozen=True)
class HardwareView:
    """What the dataflows need to know about the hardware (sizes in bytes and words); frozen, so
    that what depends only on it is computed once per hardware."""

    rows: int
    cols: int
    rf_bytes: float
    glb_bytes: float
    word_bytes: float
    psum_bytes: float
    #: Whether groups may be unrolled over the array (a design's ``spatial_dims`` can forbid it;
    #: the generators then keep one group per pass instead of proposing only masked candidates).
    group_unroll: bool = True

    def words(self, nbytes: float, operand: str) -> float:
        return float(np.floor(nbytes / (self.psum_bytes if operand == "O" else self.word_bytes)))

    @cached_property
    def rs_words(self) -> tuple[dict[str, float], float, float, float]:
        """The row-stationary RF partition (bytes) and the filter, ifmap and psum scratchpads in
        words (once per hardware)."""
        part = rf_partition("rs", self.rf_bytes, self.word_bytes, self.psum_bytes)
        return part, self.words(part["W"], "W"), self.words(part["I"], "I"), self.words(part["O"], "O")


@dataclass
class Candidates:
    """Candidate mappings of every layer: the loop nest, whether each fits the buffers, the RF
    partition each operand may use, and the knob values that describe a mapping."""

    nest: LoopNest
    fits_rf: np.ndarray
    fits_glb: np.ndarray
    partition: dict[str, float]
    knobs: dict[str, np.ndarray]
    describe: Callable[[dict[str, float]], str]
    #: The layer shapes the loop counts refer to (widened to the candidate columns).
    shape: Shape
    #: Where a given mapping's loops do not cover a layer's bounds (None: generated, always cover).
    uncovered: np.ndarray | None = None


def _cum_counts(shape: Shape, splits: list[tuple[int, list]], stacked: bool = True) -> list[tuple[list, list]]:
    """Effective and nominal loop counts of dimensions split at increasing nominal extents, per
    (dimension, extents) of ``splits``.

    ``extents`` are the tile sizes after each level (innermost first); the last level takes the
    remainder. Effective counts multiply to the bound exactly (average tile sizes). When every
    extent is an array of the bounds' shape (and ``stacked``), they are divided in one stacked
    operation each: the same numbers as one extent at a time."""
    flat = [(dim, x) for dim, extents in splits for x in extents]
    full = shape.bounds[0].shape
    if stacked and all(isinstance(x, np.ndarray) and x.shape == full for _, x in flat):
        bound = shape.stacked_bounds(tuple(dim for dim, _ in flat))
        eff_all = list(bound / np.ceil(bound / np.array([x for _, x in flat])))
    else:
        eff_all = [shape.bounds[dim] / np.ceil(shape.bounds[dim] / x) for dim, x in flat]
    out, i = [], 0
    for dim, extents in splits:
        eff, i = eff_all[i:i + len(extents)], i + len(extents)
        counts = [eff[0]] + [eff[j] / eff[j - 1] for j in range(1, len(eff))] + [shape.bounds[dim] / eff[-1]]
        nominal = [extents[0]] + [extents[j] / extents[j - 1] for j in range(1, len(extents))] + [None]
        out.append((counts, nominal))
    return out


def _loops(level_dim_counts: list[tuple[str, int, object, object]]) -> list[Loop]:
    """Loops from (level, dim, count, nominal); loops that iterate once for every layer and
    candidate (a count of 1 that does not depend on the candidate) are left out."""
    out = []
    for level, dim, count, nominal in level_dim_counts:
        if is_scalar(count):
            count = float(count)
            if count == 1.0 and (nominal is None or np.all(np.asarray(nominal) <= 1.0)):
                continue
        elif count.shape[-1] == 1 and not np.any(count != 1.0) and (nominal is None or np.all(np.asarray(nominal) <= 1.0)):
            continue
        if nominal is not None and is_scalar(nominal):
            nominal = float(nominal)
        out.append(Loop(level, dim, count, nominal))
    return out


def _grid(**knobs: list) -> dict[str, np.ndarray]:
    """Cartesian product of knob values as (1, J) rows (cached: the grids are few and fixed)."""
    return _grid_cached(tuple((name, tuple(values)) for name, values in knobs.items()))


@lru_cache(maxsize=64)
def _grid_cached(knobs: tuple[tuple[str, tuple], ...]) -> dict[str, np.ndarray]:
    names = [name for name, _ in knobs]
    mesh = np.meshgrid(*[np.asarray(values, dtype=float) for _, values in knobs], indexing="ij")
    out = {n: m.reshape(1, -1) for n, m in zip(names, mesh, strict=True)}
    for array in out.values():
        array.flags.writeable = False
    return out


def _ceil(a, b):
    return np.ceil(a / b)


def rf_partition(dataflow: str, rf_bytes: float, word_bytes: float = 2.0, psum_bytes: float = 2.0) -> dict[str, float]:
    """Bytes of each PE's register file that each operand may use under ``dataflow``.

    ``rs``: Eyeriss's ifmap and psum scratchpads (12 and 24 words) and the rest for filters; a
    register file that would leave filters less than a third of it is split in the proportions of
    Eyeriss's three scratchpads (224, 12 and 24 words) instead. ``ws`` and
    ``os``: all of it for the stationary operand (weights, partial sums); the streaming operands
    pass through one-word operand registers."""
    if dataflow == "rs":
        ifmap, psum = EYERISS_IFMAP_SPAD_WORDS * word_bytes, EYERISS_PSUM_SPAD_WORDS * psum_bytes
        if rf_bytes < 1.5 * (ifmap + psum):
            filters = EYERISS_FILTER_SPAD_WORDS * word_bytes
            scale = rf_bytes / (filters + ifmap + psum)
            return {"W": filters * scale, "I": ifmap * scale, "O": psum * scale}
        return {"W": rf_bytes - ifmap - psum, "I": ifmap, "O": psum}
    stationary = "W" if dataflow == "ws" else "O"
    return {op: (rf_bytes if op == stationary else 0.0) for op in "WIO"}


def row_stationary(shape: Shape, hw: HardwareView, batch_knob: bool, tiling: bool) -> Candidates:
    """Row-stationary candidates: strips of output rows per pass (down to one row), the PE set
    replicated over groups and then filter-first, channel-first, not at all, or over channels and
    filters evenly with the groups one after another; whole batch or one image per pass; q and m
    as large as the scratchpads and the buffer hold, p as large as they hold but split evenly over
    the set's filters."""
    knobs, modes = _rs_grid(tiling, batch_knob)
    shape = shape.widen(knobs["strips"].shape[1])
    bN, bK, bC, bP, bQ, bR, bS, bG = shape.bounds
    _, w_words, i_words, o_words = hw.rs_words
    rows, cols = float(hw.rows), float(hw.cols)
    r_sp = np.minimum(bR, rows)
    e = np.minimum(_ceil(bP, knobs["strips"]), cols * np.floor(rows / r_sp))
    segs = _ceil(e, cols)
    stack = _stacked_sets(rows, r_sp, segs)
    n_sets = _sets(stack, cols, e, segs)
    # Replicate the PE set over groups, then filters first (0), channels first (1), not at all (2),
    # or (3) over channels and filters evenly, one group after another (Table III, CONV4/5).
    # Channel replicas are stacked (at most ``stack`` of them).
    first, single, even = modes["first"], modes["single"], modes["even"]
    g = np.where(modes["one_group"] if hw.group_unroll else True, 1.0, np.minimum(bG, n_sets))
    rem = np.where(single, 1.0, np.floor(n_sets / g))
    t_a = np.minimum(rem, bK)
    r_a = np.minimum(np.minimum(np.floor(rem / t_a), bC), stack)
    r_b = np.minimum(np.minimum(rem, bC), stack)
    t_b = np.minimum(np.floor(rem / r_b), bK)
    r_c = np.maximum(1.0, np.minimum(np.minimum(np.floor(np.sqrt(rem)), bC), stack))
    t_c = np.minimum(np.floor(rem / r_c), bK)
    t = np.where(first, t_a, np.where(even, t_c, t_b))
    r = np.where(first, r_a, np.where(even, r_c, r_b))
    q = np.maximum(1.0, np.minimum(_ceil(bC, r), np.floor(i_words / bS)))
    n = np.where(modes["n_all"], bN, 1.0)
    # p: as many filters as the PE scratchpads hold and whose partial sums fit the buffer next to
    # the pass's ifmap strip.
    i_glb = _ifmap_strip_bytes(shape, hw, e, r_sp, n, q, r, g)
    p_glb = np.floor((hw.glb_bytes - i_glb) / (n * t * g * e * bQ * hw.psum_bytes))
    k_set = _ceil(bK, t)
    p = np.maximum(1.0, np.minimum(np.minimum(np.minimum(k_set, o_words), np.floor(w_words / (q * bS))), p_glb))
    # the same number of filter passes with equal tiles: whole tiles of p * t filters fill the
    # buffer's partial-sum share without a ragged last one (Table III: p = 16 for 96..384 filters)
    p = _ceil(k_set, _ceil(k_set, p))
    return _rs_candidates(shape, hw, e, r, t, g, p, q, n, None, r_sp, segs, stack, n_sets, i_glb)


@lru_cache(maxsize=8)
def _rs_grid(tiling: bool, batch_knob: bool) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The row-stationary knob grid and masks of its replication modes and batch knob (fixed
    grids: cached)."""
    strips = [1, 2, 4, 8, 16, 1e9] if tiling else [1]
    knobs = _grid(strips=strips, replicate=[0, 1, 2, 3], n_all=[1, 0] if batch_knob else [0])
    mode = knobs["replicate"]
    masks = {"first": mode == 0, "single": mode == 2, "even": mode == 3, "one_group": (mode == 2) | (mode == 3),
             "n_all": knobs["n_all"] > 0}
    for array in masks.values():
        array.flags.writeable = False
    return knobs, masks


def _stacked_sets(rows: float, r_sp, segs):
    """PE sets of ``r_sp`` rows folded ``segs`` times that fit on top of each other: the most
    channel replicas a pass can add up, partial sums moving only between vertically adjacent PEs
    (the row-stationary PE array's local network: Chen et al., ISCA 2016, Sec. V; JSSC 2017, Sec. V)."""
    return np.floor(rows / (r_sp * segs))


def _sets(stack, cols: float, e, segs):
    """PE sets on the array: ``stack`` high, as many side by side as the folded set's width allows."""
    return stack * np.floor(cols / _ceil(e, segs))


def _ifmap_strip_bytes(shape: Shape, hw: HardwareView, e, r_sp, n, q, r, g):
    """Global-buffer bytes of a pass's ifmap strip: the input rows of e output rows, the full
    width, for n images and the q x r channels of g groups."""
    h_e = window(e, r_sp, shape.stride_h, shape.dilation_h)
    return n * q * r * g * h_e * shape.full_input_width() * shape.input_ratio * hw.word_bytes


def rs_mapping(shape: Shape, hw: HardwareView, *, e: np.ndarray, r: np.ndarray, t: np.ndarray, g: np.ndarray,
               p: np.ndarray, q: np.ndarray, n: np.ndarray, m: np.ndarray | None = None) -> Candidates:
    """The row-stationary loop nest for given Eyeriss mapping parameters (JSSC 2017, Table III):
    e output rows per PE set, r channel and t filter replicas of the set (g group replicas), p
    filters and q channels per PE, n images per pass and m filters whose partial sums the global
    buffer holds (``None``: as many as fit)."""
    rows, cols = float(hw.rows), float(hw.cols)
    r_sp = np.minimum(shape.bounds[R], rows)
    segs = _ceil(e, cols)
    stack = _stacked_sets(rows, r_sp, segs)
    i_glb = _ifmap_strip_bytes(shape, hw, e, r_sp, n, q, r, g)
    return _rs_candidates(shape, hw, e, r, t, g, p, q, n, m, r_sp, segs, stack, _sets(stack, cols, e, segs), i_glb)


def _rs_candidates(shape: Shape, hw: HardwareView, e, r, t, g, p, q, n, m, r_sp, segs, stack, n_sets, i_glb
                   ) -> Candidates:
    """``rs_mapping`` given the set's rows, folds, stacked and total sets and the ifmap strip's
    bytes (which ``row_stationary`` has already computed)."""
    bN, bK, bC, bP, bQ, bR, bS, bG = shape.bounds
    part, w_words, i_words, o_words = hw.rs_words
    fits_rf = (q * bS <= i_words) & (p * q * bS <= w_words) & (p <= o_words)
    fits_rf = fits_rf & (r * t * g <= n_sets) & (r <= stack)
    # Global buffer: the ifmap strip of the pass and the partial sums of m filters.
    o_chunk = n * p * t * g * e * bQ * hw.psum_bytes
    pt = p * t
    if m is None:
        m_chunks = np.clip(np.floor((hw.glb_bytes - i_glb) / o_chunk), 1.0, _ceil(bK, pt))
    else:
        m_chunks = np.maximum(1.0, np.minimum(m / pt, _ceil(bK, pt)))
    fits_glb = i_glb + m_chunks * o_chunk <= hw.glb_bytes
    (k_counts, k_nom), (c_counts, c_nom), (p_counts, p_nom), (n_counts, n_nom), (r_counts, r_nom), (g_counts, g_nom) = \
        _cum_counts(shape, [(K, [p, pt, pt * m_chunks]), (C, [q, q * r]), (P, [e]), (N, [n]), (R, [r_sp]), (G, [g])])
    loops = _loops([
        ("rf", K, k_counts[0], k_nom[0]), ("rf", S, bS, bS), ("rf", C, c_counts[0], c_nom[0]),
        ("spatial", R, r_counts[0], r_nom[0]), ("spatial", P, p_counts[0], p_nom[0]),
        ("spatial", C, c_counts[1], c_nom[1]), ("spatial", K, k_counts[1], k_nom[1]),
        ("spatial", G, g_counts[0], g_nom[0]),
        ("glb", Q, bQ, bQ), ("glb", N, n_counts[0], n_nom[0]), ("glb", K, k_counts[2], k_nom[2]),
        ("dram", C, c_counts[2], None), ("dram", P, p_counts[1], None), ("dram", K, k_counts[3], None),
        ("dram", N, n_counts[1], None), ("dram", G, g_counts[1], None), ("dram", R, r_counts[1], None),
    ])
    nest = LoopNest(loops, keep={"W": (True, False), "I": (True, True), "O": (True, True)}, stationary=("W",))
    values = {"e": e, "segs": segs, "r_sp": r_sp, "r": r, "t": t, "g": g, "p": p, "q": q, "n": n,
              "m": m_chunks * p * t}

    return Candidates(nest, fits_rf, fits_glb, part, values, _describe_rs, shape)


def _channels_that_fit(budget, per_channel, step, bound):
    """Channels (a multiple of ``step``, at most ``bound``, at least ``step``) whose data of
    ``per_channel`` bytes each fit ``budget`` bytes."""
    return np.minimum(bound, step * np.maximum(1.0, np.floor(np.floor(budget / per_channel) / step)))


def weight_stationary(shape: Shape, hw: HardwareView, batch_knob: bool, tiling: bool) -> Candidates:
    """Weight-stationary candidates: strips of output rows per pass (down to one row), filter taps
    unrolled on the rows or not, one or as many filters per PE as fit, whole batch or one image
    per buffer tile; input channels and filters per buffer tile as many as fit."""
    strips = [1, 2, 4, 8, 1e9] if tiling else [1]
    knobs = _grid(strips=strips, unroll_taps=[0, 1], k_many=[0, 1], taps_inner=[0, 1],
                  n_all=[1, 0] if batch_knob else [1])
    shape = shape.widen(knobs["strips"].shape[1])
    bN, bK, bC, bP, bQ, bR, bS, bG = shape.bounds
    part = rf_partition("ws", hw.rf_bytes)
    w_words = hw.words(part["W"], "W")
    rows, cols = float(hw.rows), float(hw.cols)
    cs = np.minimum(bC, rows)
    unroll = knobs["unroll_taps"] > 0
    s_sp = np.where(unroll, np.minimum(bS, np.floor(rows / cs)), 1.0)
    r_sp = np.where(unroll, np.minimum(bR, np.floor(rows / (cs * s_sp))), 1.0)
    ks = np.minimum(bK, cols)
    g = np.minimum(bG, np.floor(cols / ks)) if hw.group_unroll else np.ones_like(ks)
    s_rf = np.maximum(1.0, np.minimum(_ceil(bS, s_sp), w_words))
    r_rf = np.maximum(1.0, np.minimum(_ceil(bR, r_sp), np.floor(w_words / s_rf)))
    kk = np.where(knobs["k_many"] > 0, np.maximum(1.0, np.minimum(_ceil(bK, ks), np.floor(w_words / (s_rf * r_rf)))), 1.0)
    pp = _ceil(bP, knobs["strips"])
    nn = np.where(knobs["n_all"] > 0, bN, 1.0)
    fits_rf = (s_rf * r_rf * kk <= w_words) & (w_words >= 1)
    # Global buffer: for cg channels, the input rows of a strip and the weights of m filter tiles;
    # the partial sums of those filters.
    h_p = window(pp, bR, shape.stride_h, shape.dilation_h)
    kks = kk * ks
    k_tile = kks * g
    i_ch = g * nn * h_p * shape.full_input_width() * shape.input_ratio * hw.word_bytes
    w_ch = k_tile * bR * bS * hw.word_bytes
    o_tile = k_tile * nn * pp * bQ * hw.psum_bytes
    cg = _channels_that_fit(hw.glb_bytes - o_tile, i_ch + w_ch, cs, bC)
    m = np.clip(np.floor((hw.glb_bytes - cg * i_ch) / (cg * w_ch + o_tile)), 1.0, _ceil(bK, kks))
    fits_glb = cg * (i_ch + m * w_ch) + m * o_tile <= hw.glb_bytes
    (k_counts, k_nom), (c_counts, c_nom), (s_counts, s_nom), (r_counts, r_nom), (p_counts, p_nom), \
        (n_counts, n_nom), (g_counts, g_nom) = _cum_counts(shape, [
            (K, [kk, kks, kks * m]), (C, [1.0 + 0 * cs, cs, cg]), (S, [s_rf, s_rf * s_sp]), (R, [r_rf, r_rf * r_sp]),
            (P, [pp]), (N, [nn]), (G, [g])])
    # Inside the PE either the output pixels stream past a weight held in the operand register
    # (pixels innermost), or the filter taps come first so that the partial sum stays in the
    # accumulator register (taps innermost). Both orders are in the nest; a loop that a
    # candidate does not use there counts one iteration.
    inner = knobs["taps_inner"] > 0
    s_in, r_in = np.where(inner, s_counts[0], 1.0), np.where(inner, r_counts[0], 1.0)
    s_out, r_out = np.where(inner, 1.0, s_counts[0]), np.where(inner, 1.0, r_counts[0])
    loops = _loops([
        ("rf", S, s_in, s_in), ("rf", R, r_in, r_in),
        ("rf", Q, bQ, bQ), ("rf", P, p_counts[0], p_nom[0]), ("rf", N, n_counts[0], n_nom[0]),
        ("rf", S, s_out, s_out), ("rf", R, r_out, r_out), ("rf", K, k_counts[0], k_nom[0]),
        ("spatial", C, c_counts[1], c_nom[1]), ("spatial", S, s_counts[1], s_nom[1]),
        ("spatial", R, r_counts[1], r_nom[1]), ("spatial", K, k_counts[1], k_nom[1]),
        ("spatial", G, g_counts[0], g_nom[0]),
        ("glb", C, c_counts[2], c_nom[2]), ("glb", S, s_counts[2], None),
        ("glb", R, r_counts[2], None), ("glb", K, k_counts[2], k_nom[2]),
        ("dram", C, c_counts[3], None), ("dram", K, k_counts[3], None), ("dram", P, p_counts[1], None),
        ("dram", N, n_counts[1], None), ("dram", G, g_counts[1], None),
    ])
    nest = LoopNest(loops, keep={"W": (True, True), "I": (False, True), "O": (False, True)}, stationary=("W",))
    values = {"cs": cs, "s_sp": s_sp, "r_sp": r_sp, "ks": ks, "g": g, "kk": kk, "taps": s_rf * r_rf, "strip": pp,
              "m": m * kk * ks, "cg": cg, "n": nn, "taps_inner": knobs["taps_inner"]}

    return Candidates(nest, fits_rf, fits_glb, part, values, _describe_ws, shape)


def output_stationary(shape: Shape, hw: HardwareView, batch_knob: bool, tiling: bool) -> Candidates:
    """Output-stationary candidates: output pixels on rows x cols (ShiDianNao) or pixels on rows
    and filters on columns, one or as many outputs per PE as fit, the buffer holding a band of
    full-width rows or one block; input channels per pass and filters per buffer tile as fit."""
    knobs = _grid(pixels_by_filters=[0, 1], k_many=[0, 1], band=[1, 0] if tiling else [1])
    shape = shape.widen(knobs["band"].shape[1])
    bN, bK, bC, bP, bQ, bR, bS, bG = shape.bounds
    part = rf_partition("os", hw.rf_bytes)
    o_words = hw.words(part["O"], "O")
    rows, cols = float(hw.rows), float(hw.cols)
    mode_b = knobs["pixels_by_filters"] > 0
    band = knobs["band"] > 0
    p_sp = np.minimum(bP, rows)
    q_sp = np.where(mode_b, np.minimum(bQ, np.floor(rows / p_sp)), np.minimum(bQ, cols))
    ks = np.where(mode_b, np.minimum(bK, cols), 1.0)
    g = np.where(mode_b & hw.group_unroll, np.minimum(bG, np.floor(cols / ks)), 1.0)
    kk = np.where(knobs["k_many"] > 0, np.maximum(1.0, np.minimum(_ceil(bK, ks), o_words)), 1.0)
    fits_rf = (kk <= o_words) & (o_words >= 1)
    # Global buffer: for cc channels, the input rows of one block row (full width, or one block)
    # and the weights of m filter tiles; the outputs of those filters.
    q_glb = np.where(band, bQ, q_sp)
    h_b = window(p_sp, bR, shape.stride_h, shape.dilation_h)
    w_b = window(q_glb, bS, shape.stride_w, shape.dilation_w)
    kks = kk * ks
    k_tile = kks * g
    i_ch = g * h_b * w_b * shape.input_ratio * hw.word_bytes
    w_ch = k_tile * bR * bS * hw.word_bytes
    o_tile = k_tile * p_sp * q_glb * hw.psum_bytes
    cc = _channels_that_fit(hw.glb_bytes - o_tile, i_ch + w_ch, 1.0, bC)
    m = np.clip(np.floor((hw.glb_bytes - cc * i_ch) / (cc * w_ch + o_tile)), 1.0, _ceil(bK, kks))
    fits_glb = cc * (i_ch + m * w_ch) + m * o_tile <= hw.glb_bytes
    (k_counts, k_nom), (c_counts, c_nom), (p_counts, p_nom), (q_counts, q_nom), (g_counts, g_nom) = _cum_counts(
        shape, [(K, [kk, kks, kks * m]), (C, [cc]), (P, [p_sp]), (Q, [q_sp]), (G, [g])])
    loops = _loops([
        ("rf", S, bS, bS), ("rf", R, bR, bR), ("rf", C, c_counts[0], c_nom[0]), ("rf", K, k_counts[0], k_nom[0]),
        ("spatial", P, p_counts[0], p_nom[0]), ("spatial", Q, q_counts[0], q_nom[0]),
        ("spatial", K, k_counts[1], k_nom[1]), ("spatial", G, g_counts[0], g_nom[0]),
        ("glb", Q, np.where(band, q_counts[1], 1.0), np.where(band, bQ / q_sp, 1.0)),
        ("glb", K, k_counts[2], k_nom[2]),
        ("dram", C, c_counts[1], None), ("dram", Q, np.where(band, 1.0, q_counts[1]), None),
        ("dram", P, p_counts[1], None), ("dram", K, k_counts[3], None), ("dram", N, bN, None),
        ("dram", G, g_counts[1], None),
    ])
    nest = LoopNest(loops, keep={"W": (False, True), "I": (False, True), "O": (True, True)}, stationary=("O",))
    values = {"p_sp": p_sp, "q_sp": q_sp, "ks": ks, "g": g, "kk": kk, "q_glb": q_glb, "m": m * kk * ks, "cc": cc}

    return Candidates(nest, fits_rf, fits_glb, part, values, _describe_os, shape)


def _describe_rs(v: dict[str, float]) -> str:
    """One line describing a chosen mapping (its knob values)."""
    fold = f" folded x{int(v['segs'])}" if v["segs"] > 1 else ""
    sets = f"{int(v['r'])}c x {int(v['t'])}k" + (f" x {int(v['g'])}g" if v["g"] > 1 else "")
    return (f"rs set {int(v['r_sp'])}x{int(v['e'])}{fold}, sets {sets}; PE p={int(v['p'])} q={int(v['q'])}; "
            f"n={int(v['n'])}, GLB psums of {int(v['m'])} filters")


def _describe_ws(v: dict[str, float]) -> str:
    """One line describing a chosen mapping (its knob values)."""
    taps = f" x {int(v['s_sp'] * v['r_sp'])} taps" if v["s_sp"] * v["r_sp"] > 1 else ""
    groups = f" x {int(v['g'])}g" if v["g"] > 1 else ""
    order = "taps" if v["taps_inner"] else "pixels"
    return (f"ws rows {int(v['cs'])}c{taps}, cols {int(v['ks'])}k{groups}; PE {int(v['taps'] * v['kk'])} weights, "
            f"{order} innermost; "
            f"strips of {int(v['strip'])} rows x {int(v['n'])} images, GLB {int(v['cg'])} channels x "
            f"{int(v['m'])} filters")


def _describe_os(v: dict[str, float]) -> str:
    """One line describing a chosen mapping (its knob values)."""
    cols_txt = f"{int(v['ks'])}k" + (f" x {int(v['g'])}g" if v["g"] > 1 else "")
    return (f"os pixels {int(v['p_sp'])}x{int(v['q_sp'])}, cols {cols_txt}; PE {int(v['kk'])} outputs over "
            f"{int(v['cc'])} channels; GLB {int(v['p_sp'])}x{int(v['q_glb'])} outputs x {int(v['m'])} filters")


#: Dataflow name (the template's ``dataflow`` parameter) -> candidate generator.
DATAFLOWS: dict[str, Callable[[Shape, HardwareView, bool, bool], Candidates]] = {
    "rs": row_stationary,
    "ws": weight_stationary,
    "os": output_stationary,
}
