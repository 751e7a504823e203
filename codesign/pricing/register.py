"""Registers: a PE's operand/pipeline flip-flops (``Register``) and its scratchpad register file
(``RegisterFile``, priced like any store of its capacity)."""
from __future__ import annotations

from dataclasses import dataclass

from codesign.pricing.component import PJ, UM2, Component
from codesign.pricing.storage import Storage


@dataclass(frozen=True)
class Register(Component):
    """``bits`` flip-flops: each access (read or write) touches every bit once."""

    bits: int = 16
    scaling = "linear in the bit count; energy x Stillmaker energy factor, area x Stillmaker area factor"

    @property
    def j_per_bit(self) -> float:
        return self.tech.register_pj_per_bit * self.energy_scale * PJ

    def actions(self) -> dict[str, float]:
        return {"read": self.bits * self.j_per_bit, "write": self.bits * self.j_per_bit}

    @property
    def area_m2(self) -> float:
        return self.bits * self.tech.register_um2_per_bit * self.area_scale * UM2

    @property
    def leakage_w(self) -> float:
        return self.bits * self.tech.sram_leakage_w_per_bit * self.energy_scale


@dataclass(frozen=True)
class RegisterFile(Storage):
    """A per-PE scratchpad; flip-flops up to ``REGISTER_FILE_MAX_BYTES``, an SRAM macro above."""
