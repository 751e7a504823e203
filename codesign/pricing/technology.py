"""Technology tables: the per-bit and per-access figures the components are priced from, quoted
at ``scaling.REFERENCE_NODE_NM`` (45 nm), each with its source.

A technology is a small class registered in ``TECHNOLOGIES``; an accelerator names it in its
``technology`` parameter (``--set technology=accelergy_timeloop``).

- ``default`` is independent of every reference we validate against: arithmetic from
  [Horowitz14], SRAM access energies from [Horowitz14], register-file energy from [Chen16]'s
  normalised figures, flip-flops from [Aladdin], SRAM density from [Greaves], leakage from
  [Aladdin]. None of these figures was read off a Timeloop, ZigZag or Eyeriss measurement file.
- ``accelergy_timeloop`` replaces the storage figures (energy per access, write/read ratio, area,
  leakage) by the ones Accelergy printed in the Timeloop reference runs that
  ``tests/costmodel/test_fidelity.py`` compares against (``tests/data/timeloop/*.stats.txt``):
  a comparison under it is *calibrated on that reference*, and is reported as such.

Sources
- [Horowitz14] M. Horowitz, "Computing's energy problem (and what we can do about it)",
  ISSCC 2014, Fig. 1.1.9: 45 nm energies and areas of integer arithmetic; 64-bit accesses to an
  8 KB / 32 KB / 1 MB SRAM cost 10 / 20 / 100 pJ.
- [Chen16] Y.-H. Chen, J. Emer, V. Sze, "Eyeriss: A spatial architecture for energy-efficient
  dataflow for convolutional neural networks", ISCA 2016, Fig. 1 / Sec. VI: normalised energy of
  a data access relative to a 16-bit MAC: RF (0.5 KB) 1x, inter-PE (array NoC) 2x, buffer 6x.
- [Aladdin] Y. S. Shao, B. Reagen, G.-Y. Wei, D. Brooks, "Aladdin", ISCA 2014, 40 nm component
  table as published with Accelergy's Aladdin/library plug-ins: a 1-bit register 0.009 pJ per
  access and 5.98 um^2; a 32-bit adder leaks 2.40 uW over 278 um^2.
- [Greaves] D. J. Greaves, "45 nm SRAM memory area and power consumption" (CACTI rules of thumb),
  System-on-Chip D&T lecture notes, University of Cambridge, 2008-12: an SRAM bit cell with its
  share of periphery is about 600 lambda^2, lambda = 45 nm.
- [Eyeriss17] Y.-H. Chen et al., "Eyeriss: An energy-efficient reconfigurable accelerator for deep
  convolutional neural networks", JSSC 52(1), 2017, Table IV: the 24 B ifmap and 48 B psum
  scratchpads are flip-flops, the 448 B filter scratchpad is SRAM.
- [Accelergy] Accelergy's table, Aladdin and CACTI plug-ins as printed in the reference outputs of
  Accelergy-Project/timeloop-accelergy-exercises (``tests/data/timeloop/``): the
  ``simple_weight_stationary`` design is at 45 nm, ``eyeriss_like`` at 32 nm.
"""
from __future__ import annotations

from typing import ClassVar

from codesign.registry import Registry

# --- arithmetic, [Horowitz14] at 45 nm --------------------------------------------------------
INT_MULT_8B_PJ = 0.2
INT_MULT_32B_PJ = 3.1
INT_ADD_8B_PJ = 0.03
INT_ADD_32B_PJ = 0.1
INT_MULT_8B_UM2 = 282.0
INT_MULT_32B_UM2 = 3495.0
INT_ADD_8B_UM2 = 36.0
INT_ADD_32B_UM2 = 137.0

# --- storage, independent ---------------------------------------------------------------------
#: [Horowitz14]: one 64-bit access to an 8 KB / 32 KB / 1 MB SRAM, pJ.
SRAM_ACCESS_64B_PJ = {8 * 1024: 10.0, 32 * 1024: 20.0, 1024 * 1024: 100.0}
#: [Chen16]: a 0.5 KB register file access costs one 16-bit MAC (1x); [Horowitz14]'s 16-bit
#: multiply (the power law between its 8- and 32-bit figures) plus a 16-bit add, per 2 bytes.
CHEN16_RF_BYTES = 512.0
CHEN16_RF_RELATIVE_TO_MAC = 1.0
#: [Chen16]: moving a word to a neighbouring PE costs two 16-bit MACs (2x).
CHEN16_NOC_RELATIVE_TO_MAC = 2.0
CHEN16_REFERENCE_BITS = 16
#: [Aladdin] 40 nm: one register bit, per access and area.
ALADDIN_REG_PJ_PER_BIT_40NM = 0.009
ALADDIN_REG_UM2_PER_BIT_40NM = 5.98
#: [Aladdin] 40 nm: a 32-bit adder's leakage over its area (W per um^2 of logic).
ALADDIN_LEAKAGE_W_PER_UM2_40NM = 2.40e-6 / 278.0
ALADDIN_NODE_NM = 40.0
#: [Greaves]: 600 lambda^2 per SRAM bit at lambda = 45 nm, in um^2.
GREAVES_SRAM_UM2_PER_BIT = 600 * 0.045 ** 2
#: [Eyeriss17]: largest per-PE store built from flip-flops rather than an SRAM macro.
REGISTER_FILE_MAX_BYTES = 64.0

# --- storage, read off the Timeloop reference runs ([Accelergy]) ---------------------------------
# simple_weight_stationary (45 nm): a one-word 16-bit register 0.14 pJ and 95.68 um^2; the 192 x
# 16-bit pe_spad 1.58 pJ per 16-bit access and 1,419.81 um^2; the 128 KiB shared_glb 32.38 pJ per
# 64-bit access, 429,745.62 um^2, leaking 4,834.66 pJ over 903,168 cycles of 1 ns.
ACCELERGY_REG_PJ_PER_BIT = 0.14 / 16
ACCELERGY_REG_UM2_PER_BIT = 95.68 / 16
ACCELERGY_SPAD_384B_PJ_PER_BYTE = 1.58 / 2
ACCELERGY_SPAD_384B_UM2_PER_BIT = 1419.81 / (384 * 8)
ACCELERGY_GLB_128KIB_PJ_PER_BYTE = 32.38 / 8
ACCELERGY_GLB_UM2_PER_BIT = 429745.62 / (128 * 1024 * 8)
ACCELERGY_GLB_LEAKAGE_W_PER_BIT = 4834.66e-12 / (903168 * 1e-9) / (128 * 1024 * 8)
# eyeriss_like (32 nm): the 16 x 16-bit psum_spad 0.25 pJ per 16-bit access; the 128 KiB
# shared_glb reads cost 18.18 pJ per 64 bits and updates 1.77 pJ per byte.
ACCELERGY_PSUM_SPAD_32B_PJ_PER_BYTE_32NM = 0.25 / 2
ACCELERGY_WRITE_RELATIVE_TO_READ = 1.77 / (18.18 / 8)

#: DRAM: Accelergy's LPDDR4 table entry, 512 pJ per 64-bit access (8 pJ/bit); off-chip, not
#: node-scaled. The Timeloop runs print the same table value, so their DRAM energy rows check the
#: access counts only.
LPDDR4_PJ_PER_BIT = 512.0 / 64
#: DRAM: [Horowitz14], 1.3-2.6 nJ per 64-bit DDR3 access; the lower end, per bit (the presets of
#: DDR3-era chips, ``eyeriss`` and ``tpu_v1``, state it rounded to 20.3).
DDR3_PJ_PER_BIT = 1300.0 / 64


class Technology:
    """The tables of one technology at the reference node. Subclasses set the class attributes."""

    #: (capacity in bytes, pJ per byte read) at 45 nm, ascending: log-log interpolated.
    storage_pj_per_byte: ClassVar[tuple[tuple[float, float], ...]]
    #: Energy of a write relative to a read of the same store.
    write_relative_to_read: ClassVar[float]
    #: One flip-flop bit: pJ per access and um^2, at 45 nm.
    register_pj_per_bit: ClassVar[float]
    register_um2_per_bit: ClassVar[float]
    #: (capacity in bytes, um^2 per bit) of SRAM macros at 45 nm, log-log interpolated, clamped.
    sram_um2_per_bit: ClassVar[tuple[tuple[float, float], ...]]
    #: SRAM leakage per bit at 45 nm (scaled like dynamic energy to other nodes).
    sram_leakage_w_per_bit: ClassVar[float]
    description: ClassVar[str] = ""
    #: What a comparison priced with this technology is, against the Timeloop reference runs.
    timeloop_kind: ClassVar[str] = "independent"


TECHNOLOGIES: Registry[Technology] = Registry("technology", ("codesign.pricing.technology",))


def _mac16_pj() -> float:
    from codesign.pricing.scaling import power_law

    mult = power_law(16, 8, INT_MULT_8B_PJ, 32, INT_MULT_32B_PJ)
    return mult + power_law(16, 8, INT_ADD_8B_PJ, 32, INT_ADD_32B_PJ)


def _aladdin_at_45nm(value_40nm: float, kind: str) -> float:
    from codesign.pricing.scaling import area_scale, energy_scale

    scale = energy_scale if kind == "energy" else area_scale
    return value_40nm / scale(ALADDIN_NODE_NM)


@TECHNOLOGIES.register("default")
class Independent(Technology):
    """Published figures only, none from a file we validate against."""

    description = ("[Horowitz14] arithmetic and SRAM, [Chen16] register file and NoC, [Aladdin] "
                   "flip-flops and leakage, [Greaves] SRAM density")
    storage_pj_per_byte = (
        (2.0, _aladdin_at_45nm(ALADDIN_REG_PJ_PER_BIT_40NM, "energy") * 8),
        (CHEN16_RF_BYTES, CHEN16_RF_RELATIVE_TO_MAC * _mac16_pj() / (CHEN16_REFERENCE_BITS / 8)),
        *((float(size), pj / 8.0) for size, pj in sorted(SRAM_ACCESS_64B_PJ.items())),
    )
    # Assumption: [Horowitz14] quotes one energy per access, read or write.
    write_relative_to_read = 1.0
    register_pj_per_bit = _aladdin_at_45nm(ALADDIN_REG_PJ_PER_BIT_40NM, "energy")
    register_um2_per_bit = _aladdin_at_45nm(ALADDIN_REG_UM2_PER_BIT_40NM, "area")
    sram_um2_per_bit = ((1.0, GREAVES_SRAM_UM2_PER_BIT),)
    # Rule: an SRAM bit leaks what [Aladdin]'s logic leaks per um^2, over [Greaves]'s bit area.
    sram_leakage_w_per_bit = ALADDIN_LEAKAGE_W_PER_UM2_40NM * GREAVES_SRAM_UM2_PER_BIT


def _psum_spad_45nm() -> float:
    from codesign.pricing.scaling import energy_scale

    return ACCELERGY_PSUM_SPAD_32B_PJ_PER_BYTE_32NM / energy_scale(32.0)


@TECHNOLOGIES.register("accelergy_timeloop")
class AccelergyTimeloop(Technology):
    """Storage priced as Accelergy priced it in the Timeloop reference runs (calibrated on them)."""

    description = ("storage energy, area and leakage read off the Timeloop+Accelergy reference "
                   "outputs (tests/data/timeloop): calibrated on the Timeloop comparison")
    timeloop_kind = "calibrated on this reference"
    storage_pj_per_byte = (
        (2.0, ACCELERGY_REG_PJ_PER_BIT * 8),
        (32.0, _psum_spad_45nm()),
        (384.0, ACCELERGY_SPAD_384B_PJ_PER_BYTE),
        *((float(size), pj / 8.0) for size, pj in sorted(SRAM_ACCESS_64B_PJ.items()) if size < 128 * 1024),
        (128.0 * 1024, ACCELERGY_GLB_128KIB_PJ_PER_BYTE),
        (1024.0 * 1024, SRAM_ACCESS_64B_PJ[1024 * 1024] / 8.0),
    )
    write_relative_to_read = ACCELERGY_WRITE_RELATIVE_TO_READ
    register_pj_per_bit = ACCELERGY_REG_PJ_PER_BIT
    register_um2_per_bit = ACCELERGY_REG_UM2_PER_BIT
    sram_um2_per_bit = ((384.0, ACCELERGY_SPAD_384B_UM2_PER_BIT), (128.0 * 1024, ACCELERGY_GLB_UM2_PER_BIT))
    sram_leakage_w_per_bit = ACCELERGY_GLB_LEAKAGE_W_PER_BIT


def technology_names() -> list[str]:
    """Names a configuration's ``technology`` parameter accepts."""
    return TECHNOLOGIES.names()
