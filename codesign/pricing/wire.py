"""On-chip network: moving a word from one PE to a neighbouring PE.

Rule: a hop writes the word into the receiving PE's register and drives a wire one PE pitch long,
so its energy is a register write plus a wire term proportional to the pitch. The wire constant
is set by [Chen16]'s normalised energies: in Eyeriss's PE (a 16-bit MAC, a 0.5 KB register file
and its three operand registers, priced by this layer) a 16-bit inter-PE transfer costs twice a
16-bit MAC. A smaller PE (a systolic array's 8-bit MAC and three registers) is closer to its
neighbour and pays less; both cost models price every inter-PE hop (a partial sum passed down a
column, an operand passed along a row) with this one component and their own PE's pitch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from codesign.pricing import technology as t
from codesign.pricing.component import PJ, Component
from codesign.pricing.mac import Mac, mac16_pj_45nm
from codesign.pricing.register import Register, RegisterFile


@lru_cache(maxsize=64)
def reference_pe_pitch_m(technology: str, node_nm: float) -> float:
    """Side of [Chen16]'s PE (16-bit MAC, 0.5 KB register file, 3 x 16-bit operand registers)."""
    area = (Mac(technology, node_nm, 16, 16).area_m2 + RegisterFile(technology, node_nm, t.CHEN16_RF_BYTES).area_m2
            + Register(technology, node_nm, 3 * t.CHEN16_REFERENCE_BITS).area_m2)
    return math.sqrt(area)


@dataclass(frozen=True)
class NocHop(Component):
    """One hop of ``bits`` bits to a neighbour ``pe_pitch_m`` away (0: [Chen16]'s PE pitch)."""

    bits: int = 16
    pe_pitch_m: float = 0.0
    scaling = ("register write + wire over one PE pitch; the wire term makes [Chen16]'s PE pay 2x a "
               "16-bit MAC per 16 bits; linear in the width; x Stillmaker energy factor")

    @property
    def j_per_bit(self) -> float:
        register = Register(self.technology, self.node_nm, 1).j_per_bit
        chen16 = t.CHEN16_NOC_RELATIVE_TO_MAC * mac16_pj_45nm() / t.CHEN16_REFERENCE_BITS * self.energy_scale * PJ
        ref = reference_pe_pitch_m(self.technology, self.node_nm)
        pitch = self.pe_pitch_m or ref
        return register + max(chen16 - register, 0.0) * pitch / ref

    def actions(self) -> dict[str, float]:
        return {"hop": self.bits * self.j_per_bit}
