"""Off-chip DRAM interface: energy per bit moved, as the configuration states it (off-chip, so
not node-scaled; default ``technology.LPDDR4_PJ_PER_BIT``)."""
from __future__ import annotations

from dataclasses import dataclass

from codesign.pricing.component import PJ, Component
from codesign.pricing.technology import LPDDR4_PJ_PER_BIT


@dataclass(frozen=True)
class DramInterface(Component):
    """Reads and writes cost ``pj_per_bit`` per bit."""

    pj_per_bit: float = LPDDR4_PJ_PER_BIT
    scaling = "none: an off-chip interface's energy is the configuration's pJ/bit"

    @property
    def j_per_byte(self) -> float:
        return 8.0 * self.pj_per_bit * PJ

    def actions(self) -> dict[str, float]:
        return {"read": self.j_per_byte, "write": self.j_per_byte}
