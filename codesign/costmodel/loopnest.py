"""Data movement of a loop nest mapped onto a PE array, in closed form and vectorised over
layers x candidate mappings (Timeloop's uniform-shape analysis, Parashar et al. ISPASS 2019).

The hardware has four storage levels per operand: a one-word operand register at each multiplier
(REG), a register file / scratchpad in each PE (RF), a shared global buffer (GLB) and DRAM. An
operand may bypass the RF or the GLB (``LoopNest.keep``). The mapping is a list of loops,
innermost first, each tagged with its level: ``rf`` loops run inside a PE, ``spatial`` loops are
unrolled over PEs, ``glb`` and ``dram`` loops iterate over tiles held in the level below them.

Counting rules (per operand X, per storage level L that holds X):
- L holds the tile of X spanned by every loop at or below L (the spatial loops too, for GLB).
- L is refilled from its parent each time a loop above it changes the tile: the number of fill
  events is the product of the loop counts above L, divided by the innermost run of loops that X
  does not depend on (X stays while they iterate). A sliding window of inputs along P or Q only
  brings the new columns (Timeloop's halo delta).
- PEs that need the same data are served by one multicast read of the parent, so the parent reads
  the array-wide union of the PE tiles; partial sums of PEs that split a reduction are added on
  the way up (spatial reduction).
- An output tile leaving L is written to the parent; it is read back for accumulation every time
  except the first time each output (per PE, inside the array) is produced.

Loop counts are floats: the generators use effective counts (a dimension of 100 split in tiles of
32 has 100/4 = 25 elements per tile on average), so that totals stay exact with imperfect tiling.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DIMS = ("N", "K", "C", "P", "Q", "R", "S", "G")
N, K, C, P, Q, R, S, G = range(8)
OPERANDS = ("W", "I", "O")
#: Loop dimensions each operand depends on (inputs through the P/R and Q/S sliding windows).
RELEVANT = {"W": frozenset((K, C, R, S, G)), "I": frozenset((N, C, P, Q, R, S, G)),
            "O": frozenset((N, K, P, Q, G))}
REDUCTION = (C, R, S)
LEVELS = ("rf", "spatial", "glb", "dram")

Num = float | np.ndarray


def _mul(a: Num, b: Num) -> Num:
    if isinstance(a, float) and a == 1.0:
        return b
    if isinstance(b, float) and b == 1.0:
        return a
    return a * b


def is_scalar(x: object) -> bool:
    """``np.ndim(x) == 0`` without numpy's dispatch (called for every loop and result column)."""
    return not isinstance(x, np.ndarray) or x.ndim == 0


def _add(a: Num, b: Num) -> Num:
    """``a + b``, without an array operation when one of them is the float 0.0 (the sums here are
    of logarithms, which only ever meet ``exp``: the sign of a zero does not matter)."""
    if isinstance(a, float) and a == 0.0:
        return b
    if isinstance(b, float) and b == 0.0:
        return a
    return a + b


def _less(a: Num, b: Num) -> Num:
    """``a - b``, without an array operation when ``b`` is the float 0.0."""
    return a if isinstance(b, float) and b == 0.0 else a - b


def _sum(values: list[Num]) -> Num:
    out: Num = 0.0
    for v in values:
        out = _add(out, v)
    return out


def _prod(values: list[Num]) -> Num:
    out: Num = 1.0
    for v in values:
        out = _mul(out, v)
    return out


@dataclass
class Loop:
    """One loop of the mapping: ``count`` iterations of dimension ``dim`` at ``level``."""

    level: str
    dim: int
    count: Num
    #: Iterations used for capacity checks (the largest tile); defaults to ``count``.
    nominal: Num | None = None


def window(outputs: Num, taps: Num, stride: np.ndarray, dilation: np.ndarray) -> Num:
    """Input extent read by ``outputs`` outputs of a ``taps``-tap window."""
    if isinstance(outputs, float) and outputs == 1.0:
        return 1.0 if isinstance(taps, float) and taps == 1.0 else (taps - 1.0) * dilation + 1.0
    if isinstance(taps, float) and taps == 1.0:
        return (outputs - 1.0) * stride + 1.0
    return (outputs - 1.0) * stride + (taps - 1.0) * dilation + 1.0


@dataclass
class Shape:
    """Per-group loop bounds and window geometry of the layers: arrays with one row per layer and
    one column (broadcast against candidate mappings) or one per candidate (``widen``)."""

    bounds: list[np.ndarray]
    stride_h: np.ndarray
    stride_w: np.ndarray
    dilation_h: np.ndarray
    dilation_w: np.ndarray
    #: Stored input elements over the elements the full window spans (padding, skipped rows).
    input_ratio: np.ndarray
    macs: np.ndarray

    def widen(self, n: int) -> Shape:
        """The same layers with every array repeated over ``n`` candidate columns (cached):
        numpy operations on equal shapes are several times cheaper than broadcasting ones."""
        cache = self.__dict__.setdefault("_wide", {})
        if n not in cache:
            def w(x: np.ndarray) -> np.ndarray:
                return np.ascontiguousarray(np.broadcast_to(x, (x.shape[0], n)))
            cache[n] = Shape(bounds=[w(b) for b in self.bounds], stride_h=w(self.stride_h),
                             stride_w=w(self.stride_w), dilation_h=w(self.dilation_h), dilation_w=w(self.dilation_w),
                             input_ratio=w(self.input_ratio), macs=w(self.macs))
        return cache[n]

    def stacked_bounds(self, dims: tuple[int, ...]) -> np.ndarray:
        """The bounds of ``dims`` stacked along a new first axis (cached per ``dims``)."""
        cache = self.__dict__.setdefault("_stacked", {})
        hit = cache.get(dims)
        if hit is None:
            hit = cache[dims] = np.array([self.bounds[d] for d in dims])
            hit.flags.writeable = False
        return hit

    def log_bound(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(log of the bound, 1.0 where it is at most one) along ``dim``, as ``analyse`` takes them
        of a loop count (cached)."""
        cache = self.__dict__.setdefault("_log_bounds", {})
        hit = cache.get(dim)
        if hit is None:
            bound = self.bounds[dim]
            hit = cache[dim] = (np.log(bound), (bound <= 1.0).astype(float))
            for array in hit:
                array.flags.writeable = False
        return hit

    def batched(self) -> bool:
        """Whether any layer has more than one image (cached)."""
        hit = self.__dict__.get("_batched")
        if hit is None:
            hit = self.__dict__["_batched"] = bool(np.any(self.bounds[N] > 1))
        return hit

    def full_input_width(self) -> np.ndarray:
        """Input columns the whole output width reads (cached: it depends on the layers only)."""
        width = self.__dict__.get("_full_width")
        if width is None:
            width = self.__dict__["_full_width"] = window(self.bounds[Q], self.bounds[S], self.stride_w,
                                                           self.dilation_w)
        return width

    def outputs(self) -> np.ndarray:
        """Output elements of the layers (per group times groups; cached)."""
        out = self.__dict__.get("_outputs")
        if out is None:
            out = self.__dict__["_outputs"] = self.tile("O", self.bounds)
        return out

    def input_window(self, ext: list[Num]) -> tuple[Num, Num]:
        """Input rows and columns a tile of ``ext`` outputs and filter taps reads (remembered for
        the extents list while it lives: the analysis asks for the same tiles several times)."""
        memo = self.__dict__.setdefault("_windows", {})
        hit = memo.get(id(ext))
        if hit is not None and hit[0] is ext:
            return hit[1]
        h = self._axis_window(ext[P], ext[R], P)
        w = self._axis_window(ext[Q], ext[S], Q)
        if len(memo) > 64:
            memo.clear()
        memo[id(ext)] = (ext, (h, w))
        return h, w

    def _axis_window(self, outputs: Num, taps: Num, dim: int) -> Num:
        """``window`` along P (rows) or Q (columns); cached when the extents are the layers'
        own bounds or constants (they then depend on the layers only)."""
        stride, dilation = (self.stride_h, self.dilation_h) if dim == P else (self.stride_w, self.dilation_w)
        key = (dim, self._layer_only(outputs), self._layer_only(taps))
        if key[1] is None or key[2] is None:
            return window(outputs, taps, stride, dilation)
        cache = self.__dict__.setdefault("_layer_windows", {})
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = window(outputs, taps, stride, dilation)
        return hit

    def _layer_only(self, x: Num) -> tuple | None:
        """A key for an extent that depends on the layers only (a constant or one of the bounds
        themselves), else None."""
        if isinstance(x, float):
            return ("constant", x)
        for d, bound in enumerate(self.bounds):
            if x is bound:
                return ("bound", d)
        return None

    def tile(self, operand: str, ext: list[Num]) -> Num:
        """Elements of ``operand`` in a tile spanning ``ext`` along each dimension."""
        if operand == "W":
            return _prod([ext[K], ext[C], ext[R], ext[S], ext[G]])
        if operand == "O":
            return _prod([ext[N], ext[K], ext[P], ext[Q], ext[G]])
        h, w = self.input_window(ext)
        return _prod([ext[N], ext[C], ext[G], h * w * self.input_ratio])


@dataclass
class LoopNest:
    """A mapping of every layer (rows) under every candidate (columns)."""

    loops: list[Loop]
    #: operand -> (kept in the PE register file, kept in the global buffer)
    keep: dict[str, tuple[bool, bool]]
    #: Operands whose RF tile is reloaded while the PE waits unless it fits twice (the stationary
    #: operand of the dataflow).
    stationary: tuple[str, ...] = ()


@dataclass
class Traffic:
    """Accesses in words of each operand per level, arrays over (layers, candidates).

    ``reads[level][op]`` / ``writes[level][op]`` for level ``rf`` (all PEs together), ``glb`` and
    ``dram``. Output words include the final values (``unique_outputs`` of them are written to,
    and read out of, each level they pass once complete); the rest are partial sums.
    """

    #: The spatial loops' nominal extents along each dimension (``pes`` is their product).
    spatial_extents: list[Num]
    cycles: Num
    reads: dict[str, dict[str, Num]]
    writes: dict[str, dict[str, Num]]
    #: Partial-sum words passed from PE to PE while a spatially split reduction is added up.
    hops: Num
    #: Words crossing between the PE array and the level above it (multicast counted once).
    array: dict[str, Num]
    #: Words moved into the PE array per RF reload of each stationary operand, and the reloads.
    reload_words: dict[str, Num]
    reloads: dict[str, Num]
    #: Largest tile (words) of each stationary operand in each PE's RF.
    rf_tile: dict[str, Num]
    unique_outputs: Num

    @property
    def pes(self) -> Num:
        """PEs the mapping unrolls over (computed when read: the cost models do not need it)."""
        return _prod(self.spatial_extents)


def _level_extents(loops: list[Loop], nominal: bool = False, levels: tuple[str, ...] = LEVELS
                   ) -> dict[str, list[Num]]:
    """Per level (of ``levels``), the product of its loop counts along each dimension (one pass
    over the loops)."""
    out: dict[str, list[Num]] = {level: [1.0] * 8 for level in levels}
    for loop in loops:
        ext = out.get(loop.level)
        if ext is None:
            continue
        value = loop.nominal if (nominal and loop.nominal is not None) else loop.count
        ext[loop.dim] = _mul(ext[loop.dim], value)
    return out


def extents(loops: list[Loop], levels: set[str], nominal: bool = False) -> list[Num]:
    """Tile extent along each dimension spanned by the loops of ``levels``."""
    ext: list[Num] = [1.0] * 8
    for loop in loops:
        if loop.level in levels:
            value = loop.nominal if (nominal and loop.nominal is not None) else loop.count
            ext[loop.dim] = _mul(ext[loop.dim], value)
    return ext


@dataclass
class _Scan:
    """Residency of one operand over a segment of loops (innermost first): ``log_run`` is the log
    of the product of the loop counts it stays resident through, ``alive`` whether no relevant
    loop has iterated yet (1.0/0.0 per element), ``ends`` the P/Q loops that may end the run with
    the share of elements they end it for (inputs only: their sliding window is reused)."""

    log_run: Num
    alive: Num
    ends: list[tuple[Loop, Num]]


def _scan(operand: str, loops: list[Loop], pre: dict[int, tuple[Num, Num]]) -> _Scan:
    relevant = RELEVANT[operand]
    log_run: Num = 0.0
    alive: Num = 1.0
    ends: list[tuple[Loop, Num]] = []
    for loop in loops:
        log_c, stay = pre[id(loop)]
        if loop.dim not in relevant:
            log_run = _add(log_run, log_c if isinstance(alive, float) and alive == 1.0 else alive * log_c)
            continue
        if isinstance(stay, float):
            if stay == 1.0:
                continue
            if operand == "I" and loop.dim in (P, Q):
                ends.append((loop, alive))
            return _Scan(log_run, 0.0, ends)
        if operand == "I" and loop.dim in (P, Q):
            ends.append((loop, (1.0 - stay) if isinstance(alive, float) else alive * (1.0 - stay)))
        alive = stay if isinstance(alive, float) else alive * stay
    return _Scan(log_run, alive, ends)


def _chain(inner: _Scan, outer: _Scan) -> _Scan:
    """Two consecutive segments (``inner`` below ``outer``) as one."""
    a = inner.alive
    if isinstance(a, float) and a == 0.0:
        return inner
    if isinstance(a, float):
        return _Scan(_add(inner.log_run, outer.log_run), outer.alive, inner.ends + outer.ends)
    return _Scan(_add(inner.log_run, a * outer.log_run), a * outer.alive,
                 inner.ends + [(loop, a * share) for loop, share in outer.ends])


def _halo(scan: _Scan, shape: Shape, child_ext: list[Num]) -> Num:
    """Average fraction of a child input tile that is new per fill, from the loop ending the run."""
    if not scan.ends:
        return 1.0
    window = shape.input_window(child_ext)
    out: Num = 1.0
    for loop, share in scan.ends:
        out = out + share * (_halo_factor(loop.dim, loop.count, shape, child_ext, window) - 1.0)
    return out


def _halo_factor(dim: int, count: Num, shape: Shape, child_ext: list[Num], window: tuple[Num, Num]) -> Num:
    """Average fraction of a child input tile that is new per iteration of a loop over P (or Q)."""
    if dim == P:
        new = np.minimum(child_ext[P] * shape.stride_h, window[0]) / window[0]
    else:
        new = np.minimum(child_ext[Q] * shape.stride_w, window[1]) / window[1]
    return (1.0 + (count - 1.0) * new) / count


def _log_counts(loops: list[Loop], shape: Shape, stacked: bool = True) -> dict[int, tuple[Num, Num]]:
    """Per loop (by id): the log of its count and 1.0 where it runs a single iteration (0.0
    elsewhere). A count that is one of the layers' bounds is looked up on the shape; counts that
    are arrays of one shape are stacked (unless not ``stacked``), so that each of the three
    operations runs once on all of them: element for element the same numbers."""
    pre: dict[int, tuple[Num, Num]] = {}
    arrays: dict[tuple[int, ...], list[Loop]] = {}
    for lp in loops:
        if isinstance(lp.count, float):
            pre[id(lp)] = (math.log(lp.count), 1.0 if lp.count <= 1.0 else 0.0)
        elif stacked and lp.count is shape.bounds[lp.dim]:
            pre[id(lp)] = shape.log_bound(lp.dim)
        else:
            arrays.setdefault(lp.count.shape, []).append(lp)
    for group in arrays.values():
        if len(group) == 1 or not stacked:
            for lp in group:
                pre[id(lp)] = (np.log(lp.count), (lp.count <= 1.0).astype(float))
            continue
        counts = np.array([lp.count for lp in group])
        logs, once = np.log(counts), (counts <= 1.0).astype(float)
        for i, lp in enumerate(group):
            pre[id(lp)] = (logs[i], once[i])
    return pre


def analyse(nest: LoopNest, shape: Shape, stacked: bool = True) -> Traffic:
    """Accesses of every operand at every level, per (layer, candidate); ``stacked=False`` takes
    the loop counts' logarithms one loop at a time (the same numbers, slower)."""
    loops = nest.loops
    seg = {level: [lp for lp in loops if lp.level == level] for level in ("rf", "glb", "dram")}
    pre = _log_counts([lp for lp in loops if lp.level != "spatial"], shape, stacked)
    log_total_rf_loops = _sum([pre[id(lp)][0] for lp in seg["rf"]])
    log_total_above_rf = _sum([pre[id(lp)][0] for lp in seg["glb"] + seg["dram"]])
    log_total_above_glb = _sum([pre[id(lp)][0] for lp in seg["dram"]])
    log_total_above_reg = _add(log_total_rf_loops, log_total_above_rf)
    per_level = _level_extents(loops)
    e_rf, e_sp = per_level["rf"], per_level["spatial"]
    e_arr = [_mul(a, b) for a, b in zip(e_rf, e_sp, strict=True)]
    e_glb = [_mul(a, b) for a, b in zip(e_arr, per_level["glb"], strict=True)]
    nominal = _level_extents(loops, nominal=True, levels=("rf", "spatial"))
    n_rf, n_sp = nominal["rf"], nominal["spatial"]
    inst = _prod(e_sp)
    cycles = _prod([b if (isinstance(s, float) and s == 1.0) else np.ceil(b / s)
                    for b, s in zip(shape.bounds, n_sp, strict=True)])
    o_unique = shape.outputs()

    reads: dict[str, dict[str, Num]] = {"rf": {}, "glb": {}, "dram": {}}
    writes: dict[str, dict[str, Num]] = {"rf": {}, "glb": {}, "dram": {}}
    hops: Num = 0.0
    array: dict[str, Num] = {}
    reload_words: dict[str, Num] = {}
    reloads: dict[str, Num] = {}
    rf_tile: dict[str, Num] = {}
    for op in OPERANDS:
        keep_rf, keep_glb = nest.keep[op]
        if op in nest.stationary:
            rf_tile[op] = shape.tile(op, n_rf) if keep_rf else 0.0
        dram_scan = _scan(op, seg["dram"], pre)
        above_rf = _chain(_scan(op, seg["glb"], pre), dram_scan)
        reg_scan = _chain(_scan(op, seg["rf"], pre), above_rf)
        ev_reg = np.exp(_less(log_total_above_reg, reg_scan.log_run))
        reg_fills = _mul(ev_reg, inst)                              # words into (or out of) REGs
        if keep_rf:
            ev_rf = np.exp(_less(log_total_above_rf, above_rf.log_run))
            rf_moves = _mul(_mul(shape.tile(op, e_rf), _mul(ev_rf, _halo(above_rf, shape, e_rf))), inst)
            arr_tile = shape.tile(op, e_arr)
            # the array-wide tile slides too, with its own (larger) overlap
            union = _mul(arr_tile, _mul(ev_rf, _halo(above_rf, shape, e_arr)))
            child_events = ev_rf
        else:
            arr_tile = shape.tile(op, e_sp)
            union = _mul(arr_tile, ev_reg)
            rf_moves = 0.0
            child_events = ev_reg
        if keep_glb:
            ev_glb = np.exp(_less(log_total_above_glb, dram_scan.log_run))
            glb_moves = _mul(shape.tile(op, e_glb), _mul(ev_glb, _halo(dram_scan, shape, e_glb)))
        if op in nest.stationary and keep_rf:
            reload_words[op] = arr_tile
            reloads[op] = child_events
        if op != "O":
            reads["rf"][op], writes["rf"][op] = (reg_fills, rf_moves) if keep_rf else (0.0, 0.0)
            array[op] = union
            if keep_glb:
                reads["glb"][op], writes["glb"][op] = union, glb_moves
                reads["dram"][op] = glb_moves
            else:
                reads["glb"][op], writes["glb"][op] = 0.0, 0.0
                reads["dram"][op] = union
            writes["dram"][op] = 0.0
            continue
        # Partial sums go up REG -> RF -> GLB -> DRAM and come back down to be accumulated; the
        # first visit of each output (per PE inside the array) needs no read.
        arr_back = np.maximum(union - o_unique, 0.0)
        if keep_rf:
            first_in_pe = _mul(o_unique, _prod([e_sp[d] for d in REDUCTION]))
            reads["rf"][op] = np.maximum(reg_fills - first_in_pe, 0.0) + rf_moves
            writes["rf"][op] = reg_fills + arr_back
            hops = np.maximum(rf_moves - union, 0.0)
        else:
            reads["rf"][op] = writes["rf"][op] = 0.0
            hops = np.maximum(reg_fills - union, 0.0)
        array[op] = union + arr_back
        if keep_glb:
            glb_back = np.maximum(glb_moves - o_unique, 0.0)
            reads["glb"][op], writes["glb"][op] = arr_back + glb_moves, union + glb_back
            reads["dram"][op], writes["dram"][op] = glb_back, glb_moves
        else:
            reads["glb"][op] = writes["glb"][op] = 0.0
            reads["dram"][op], writes["dram"][op] = arr_back, union
    return Traffic(spatial_extents=n_sp, cycles=cycles, reads=reads, writes=writes, hops=hops, array=array,
                   reload_words=reload_words, reloads=reloads, rf_tile=rf_tile,
                   unique_outputs=o_unique)
