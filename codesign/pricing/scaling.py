"""Technology-node and bit-width scaling rules shared by every priced component.

- Node scaling, [Stillmaker17] A. Stillmaker, B. Baas, "Scaling equations for the accurate
  prediction of CMOS device performance from 180 nm to 7 nm", Integration, the VLSI Journal 58
  (2017), 74-81: Table 4 area factors and Table 5 energy polynomials (energy = a*Vdd^2 + b*Vdd + c),
  log-log interpolated between the tabulated nodes. Factors are cached per node.
- Bit-width scaling: a quantity known at two widths follows the power law through both points.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

#: Node at which every table of ``codesign.pricing.technology`` is quoted.
REFERENCE_NODE_NM = 45.0

_NODES_NM = (130.0, 90.0, 65.0, 45.0, 32.0, 20.0, 16.0, 14.0, 10.0, 7.0)
# [Stillmaker17] Table 4, row "45 nm": area multiplier from 45 nm to each node above.
_AREA_FROM_45NM = (6.4, 2.8, 1.5, 1.0, 0.46, 0.21, 0.19, 0.17, 0.1, 0.059)
# [Stillmaker17] Table 5 energy polynomial coefficients (a, b, c) per node.
_ENERGY_POLY = (
    (7.171, -6.709, 2.904), (4.762, -4.781, 2.092), (3.755, -4.398, 1.975),
    (1.103, -0.362, 0.2767), (0.9559, -0.7823, 0.471), (0.373, -0.1582, 0.04104),
    (0.2958, -0.1241, 0.03024), (0.2363, -0.09675, 0.02239), (0.2068, -0.09311, 0.02375),
    (0.1776, -0.09097, 0.02447),
)
# Supply voltage at which each node's energy polynomial is evaluated. Assumption: the usual
# nominal core supplies of these nodes (1.3 V at 130 nm falling to 0.7 V at 7 nm).
_NOMINAL_VDD = (1.3, 1.2, 1.1, 1.0, 0.9, 0.9, 0.85, 0.8, 0.75, 0.7)
_ENERGY_AT_VDD = tuple(a * v * v + b * v + c for (a, b, c), v in zip(_ENERGY_POLY, _NOMINAL_VDD, strict=True))
_ENERGY_FROM_45NM = tuple(e / _ENERGY_AT_VDD[3] for e in _ENERGY_AT_VDD)

MIN_NODE_NM = _NODES_NM[-1]
MAX_NODE_NM = _NODES_NM[0]


def _interp_node(node_nm: float, table: tuple[float, ...]) -> float:
    """Log-log interpolation of a per-node factor between the tabulated nodes."""
    if not (MIN_NODE_NM <= node_nm <= MAX_NODE_NM):
        raise ValueError(f"technology node {node_nm} nm outside the scaling table "
                         f"({MIN_NODE_NM:g}-{MAX_NODE_NM:g} nm)")
    xs = np.log(np.array(_NODES_NM[::-1]))
    ys = np.log(np.array(table[::-1]))
    return float(np.exp(np.interp(math.log(node_nm), xs, ys)))


@lru_cache(maxsize=64)
def energy_scale(node_nm: float) -> float:
    """Dynamic energy at ``node_nm`` relative to ``REFERENCE_NODE_NM``."""
    return _interp_node(node_nm, _ENERGY_FROM_45NM)


@lru_cache(maxsize=64)
def area_scale(node_nm: float) -> float:
    """Area at ``node_nm`` relative to ``REFERENCE_NODE_NM``."""
    return _interp_node(node_nm, _AREA_FROM_45NM)


def power_law(bits: float, lo_bits: float, at_lo: float, hi_bits: float, at_hi: float) -> float:
    """A quantity known at ``lo_bits`` and ``hi_bits`` wide, at ``bits`` wide: the power law
    through both points (exponent 2 for an array multiplier would be exact; the data decide)."""
    exponent = math.log(at_hi / at_lo) / math.log(hi_bits / lo_bits)
    return at_lo * (bits / lo_bits) ** exponent
