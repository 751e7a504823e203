"""Constraints a design puts on its mapping, honoured by the spatial mapper.

A reference design often fixes part of its mapping: Timeloop's simple weight-stationary example
allows no spatial unrolling of R, S, P or Q (its ``inter_PE_spatial`` constraint), ZigZag's designs
fix which dimensions go on the array. ``spatial_dims`` (a parameter of the spatial template) names
the dimensions the PE array may unroll; candidates that unroll any other dimension are masked out
before the mapper picks one, so that our mapper and the reference's search the same space.
"""
from __future__ import annotations

import numpy as np

from codesign.costmodel.loopnest import DIMS, LoopNest


def spatial_dims_problems(spec: str) -> list[str]:
    """Why ``spec`` is not a valid ``spatial_dims`` value (empty when it is)."""
    bad = sorted({ch for ch in spec if ch not in DIMS})
    if bad:
        return [f"spatial_dims: unknown loop dimension(s) {', '.join(map(repr, bad))} (known: {''.join(DIMS)})"]
    if len(set(spec)) != len(spec):
        return [f"spatial_dims: a dimension is listed twice in {spec!r}"]
    return []


def spatial_violations(nest: LoopNest, spec: str, n_layers: int) -> np.ndarray:
    """(layers, candidates) bool: the candidate unrolls a dimension ``spec`` does not allow over
    the PE array. An empty ``spec`` allows everything."""
    out = np.zeros((n_layers, 1), dtype=bool)
    if not spec:
        return out
    allowed = {DIMS.index(ch) for ch in spec}
    for loop in nest.loops:
        if loop.level != "spatial" or loop.dim in allowed:
            continue
        size = loop.nominal if loop.nominal is not None else loop.count
        out = out | (np.asarray(size) > 1.0)
    return out
