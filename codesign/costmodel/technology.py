"""Energy and area of hardware primitives, with their sources and technology scaling.

Every figure below is a named constant with the publication or tool output it comes from. They are
quoted at the reference node (45 nm) and scaled to other nodes with Stillmaker & Baas (2017).

Sources
- [Horowitz14] M. Horowitz, "Computing's energy problem (and what we can do about it)",
  ISSCC 2014, Fig. 1.1.9: 45 nm energies and areas of integer/FP arithmetic and SRAM/DRAM access.
- [Accelergy] Accelergy's table-based, Aladdin and CACTI plug-ins, as printed in the reference
  outputs of Accelergy-Project/timeloop-accelergy-exercises (copied under tests/data/timeloop/):
  the ``simple_weight_stationary`` design is at 45 nm, the ``eyeriss_like`` design at 32 nm (its
  figures are converted to 45 nm with this module's own node scaling).
- [Chen16] Y.-H. Chen, J. Emer, V. Sze, "Eyeriss: A spatial architecture for energy-efficient
  dataflow for convolutional neural networks", ISCA 2016, Fig. 1/Sec. VI: normalised energy of a
  data access: RF 1x, inter-PE (array NoC) 2x, global buffer 6x, DRAM 200x (relative to a MAC).
- [Stillmaker17] A. Stillmaker, B. Baas, "Scaling equations for the accurate prediction of CMOS
  device performance from 180 nm to 7 nm", Integration, the VLSI Journal 58 (2017), 74-81:
  Table 4 area factors and Table 5 energy polynomials (energy = a*Vdd^2 + b*Vdd + c).
"""
from __future__ import annotations

import math

import numpy as np

REFERENCE_NODE_NM = 45.0

# --- arithmetic, [Horowitz14] at 45 nm --------------------------------------------------------
INT_MULT_8B_PJ = 0.2
INT_MULT_32B_PJ = 3.1
INT_ADD_8B_PJ = 0.03
INT_ADD_32B_PJ = 0.1
INT_MULT_8B_UM2 = 282.0
INT_MULT_32B_UM2 = 3495.0
INT_ADD_8B_UM2 = 36.0
INT_ADD_32B_UM2 = 137.0

# --- memories ---------------------------------------------------------------------------------
# [Horowitz14]: one 64-bit access to an 8 KB / 32 KB / 1 MB SRAM costs 10 / 20 / 100 pJ.
SRAM_ACCESS_64B_PJ = {8 * 1024: 10.0, 32 * 1024: 20.0, 1024 * 1024: 100.0}
# [Accelergy] 45 nm: a one-word 16-bit register (``weight_reg`` of simple_weight_stationary) costs
# 0.14 pJ per access and 95.68 um^2.
REGISTER_PJ_PER_BIT = 0.14 / 16
REGISTER_UM2_PER_BIT = 95.68 / 16
# [Accelergy] 45 nm, simple_weight_stationary: the 192 x 16-bit ``pe_spad`` SRAM costs 1.58 pJ per
# 16-bit access and 1,419.81 um^2; the 16,384 x 64-bit (128 KiB) ``shared_glb`` costs 32.38 pJ per
# 64-bit access, occupies 429,745.62 um^2 and leaks 4,834.66 pJ over 903,168 cycles of 1 ns.
PE_SPAD_384B_PJ_PER_BYTE = 1.58 / 2
PE_SPAD_384B_UM2_PER_BIT = 1419.81 / (384 * 8)
GLB_128KIB_PJ_PER_BYTE = 32.38 / 8
SRAM_UM2_PER_BIT = 429745.62 / (128 * 1024 * 8)
SRAM_LEAKAGE_W_PER_BIT = 4834.66e-12 / (903168 * 1e-9) / (128 * 1024 * 8)
# [Accelergy] 32 nm, eyeriss_like: the 16 x 16-bit ``psum_spad`` register file costs 0.25 pJ per
# 16-bit access (converted to 45 nm in ``_STORAGE_PJ_PER_BYTE``).
PSUM_SPAD_32B_PJ_PER_BYTE_32NM = 0.25 / 2
# [Accelergy] 32 nm, eyeriss_like: the 128 KiB ``shared_glb`` reads cost 18.18 pJ per 64 bits
# (2.27 pJ per byte) and updates 1.77 pJ per byte: a write costs this fraction of a read.
SRAM_WRITE_RELATIVE_TO_READ = 1.77 / (18.18 / 8)
# Largest per-PE store built from flip-flops rather than an SRAM macro: Eyeriss's 24 B ifmap and
# 48 B psum scratchpads are registers, its 448 B filter scratchpad is SRAM (JSSC 2017, Table IV).
REGISTER_FILE_MAX_BYTES = 64.0
# [Accelergy] LPDDR4 table entry: 512 pJ per 64-bit access (8 pJ/bit). Off-chip: not node-scaled.
LPDDR4_PJ_PER_BIT = 512.0 / 64
# [Chen16]: moving a word from one PE to another costs twice a MAC of the array's 16-bit ALU
# (normalised energies: ALU 1x, RF 1x, inter-PE 2x; a buffer access already includes delivering
# the word to the PEs it is multicast to).
NOC_HOP_RELATIVE_TO_MAC = 2.0
NOC_REFERENCE_BITS = 16

# Accumulator width of partial sums (TPU v1 and most int8 NPUs accumulate in 32 bits).
ACCUMULATOR_BITS = 32

# --- technology scaling, [Stillmaker17] --------------------------------------------------------
_NODES_NM = (130.0, 90.0, 65.0, 45.0, 32.0, 20.0, 16.0, 14.0, 10.0, 7.0)
# Table 4, row "45 nm": area multiplier from 45 nm to each node above.
_AREA_FROM_45NM = (6.4, 2.8, 1.5, 1.0, 0.46, 0.21, 0.19, 0.17, 0.1, 0.059)
# Table 5 energy polynomial coefficients (a, b, c) per node.
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


def energy_scale(node_nm: float) -> float:
    """Dynamic energy at ``node_nm`` relative to 45 nm."""
    return _interp_node(node_nm, _ENERGY_FROM_45NM)


def area_scale(node_nm: float) -> float:
    """Area at ``node_nm`` relative to 45 nm."""
    return _interp_node(node_nm, _AREA_FROM_45NM)


def _power_law(bits: float, at8: float, at32: float) -> float:
    """Interpolate a quantity known at 8 and 32 bits with a power law in the bit width."""
    exponent = math.log(at32 / at8) / math.log(4.0)
    return at8 * (bits / 8.0) ** exponent


def mult_energy_pj(bits: int) -> float:
    """Integer multiply (``bits`` x ``bits``) at 45 nm [Horowitz14]."""
    return _power_law(bits, INT_MULT_8B_PJ, INT_MULT_32B_PJ)


def mac_energy_pj(bits: int, acc_bits: int = ACCUMULATOR_BITS) -> float:
    """Integer multiply (``bits`` x ``bits``) plus an ``acc_bits`` accumulate, at 45 nm [Horowitz14]."""
    return mult_energy_pj(bits) + add_energy_pj(acc_bits)


def add_energy_pj(bits: int) -> float:
    """Integer add of ``bits`` bits at 45 nm [Horowitz14]."""
    return _power_law(bits, INT_ADD_8B_PJ, INT_ADD_32B_PJ)


def mac_area_um2(bits: int, acc_bits: int = ACCUMULATOR_BITS) -> float:
    """Multiplier plus accumulator adder at 45 nm [Horowitz14]."""
    return _power_law(bits, INT_MULT_8B_UM2, INT_MULT_32B_UM2) + add_area_um2(acc_bits)


def add_area_um2(bits: int) -> float:
    return _power_law(bits, INT_ADD_8B_UM2, INT_ADD_32B_UM2)


def _storage_table() -> tuple[np.ndarray, np.ndarray]:
    """(log capacity, log pJ/byte) at 45 nm: registers and scratchpads from [Accelergy], the
    global buffer from [Accelergy], the 8 KB / 32 KB / 1 MB SRAMs from [Horowitz14]."""
    psum_spad_45nm = PSUM_SPAD_32B_PJ_PER_BYTE_32NM / energy_scale(32.0)
    points = {
        2.0: REGISTER_PJ_PER_BIT * 8,
        32.0: psum_spad_45nm,
        384.0: PE_SPAD_384B_PJ_PER_BYTE,
        **{float(size): pj / 8.0 for size, pj in SRAM_ACCESS_64B_PJ.items()},
        128.0 * 1024: GLB_128KIB_PJ_PER_BYTE,
    }
    sizes = sorted(points)
    return np.log(np.array(sizes)), np.log(np.array([points[s] for s in sizes]))


_STORAGE_LOG_TABLE: tuple[np.ndarray, np.ndarray] | None = None


def sram_energy_pj_per_byte(capacity_bytes: float | np.ndarray) -> float | np.ndarray:
    """Energy to read or write one byte of an on-chip store (register file, scratchpad or SRAM) of
    the given capacity, at 45 nm.

    Log-log interpolation between the cited points of ``_storage_table`` (a 2-byte register up to a
    1 MB SRAM); below 2 bytes a register's cost, above 1 MB the slope of the last segment.
    """
    global _STORAGE_LOG_TABLE
    if _STORAGE_LOG_TABLE is None:
        _STORAGE_LOG_TABLE = _storage_table()
    xs, ys = _STORAGE_LOG_TABLE
    x = np.log(np.maximum(np.asarray(capacity_bytes, dtype=float), np.exp(xs[0])))
    slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    y = np.where(x > xs[-1], ys[-1] + slope * (x - xs[-1]), np.interp(x, xs, ys))
    out = np.exp(y)
    return float(out) if out.ndim == 0 else out


def storage_area_um2_per_bit(capacity_bytes: float) -> float:
    """Area per bit at 45 nm: flip-flops up to ``REGISTER_FILE_MAX_BYTES``, SRAM above (log-log
    between the 384 B scratchpad and the 128 KiB buffer of [Accelergy], constant beyond)."""
    if capacity_bytes <= REGISTER_FILE_MAX_BYTES:
        return REGISTER_UM2_PER_BIT
    lo, hi = 384.0, 128.0 * 1024
    x = min(max(capacity_bytes, lo), hi)
    frac = math.log(x / lo) / math.log(hi / lo)
    return math.exp(math.log(PE_SPAD_384B_UM2_PER_BIT) + frac * math.log(SRAM_UM2_PER_BIT / PE_SPAD_384B_UM2_PER_BIT))


def noc_energy_pj_per_byte() -> float:
    """Energy to move one byte from a PE to a neighbouring PE (a partial sum on its way up a
    reduction chain), at 45 nm [Chen16]."""
    return NOC_HOP_RELATIVE_TO_MAC * mac_energy_pj(NOC_REFERENCE_BITS, NOC_REFERENCE_BITS) / (NOC_REFERENCE_BITS / 8)


def sram_area_mm2(capacity_bytes: float) -> float:
    """SRAM macro area at 45 nm, periphery included ([Accelergy]/CACTI density)."""
    return capacity_bytes * 8 * SRAM_UM2_PER_BIT * 1e-6


def sram_leakage_w(capacity_bytes: float) -> float:
    """SRAM leakage power at 45 nm ([Accelergy]/CACTI)."""
    return capacity_bytes * 8 * SRAM_LEAKAGE_W_PER_BIT
