"""Multiply-accumulate unit and adder priced from [Horowitz14]'s 45 nm integer arithmetic."""
from __future__ import annotations

from dataclasses import dataclass

from codesign.pricing import technology as t
from codesign.pricing.component import PJ, UM2, Component
from codesign.pricing.scaling import power_law


def _mult_pj(bits: float) -> float:
    return power_law(bits, 8, t.INT_MULT_8B_PJ, 32, t.INT_MULT_32B_PJ)


def _add_pj(bits: float) -> float:
    return power_law(bits, 8, t.INT_ADD_8B_PJ, 32, t.INT_ADD_32B_PJ)


def _mult_um2(bits: float) -> float:
    return power_law(bits, 8, t.INT_MULT_8B_UM2, 32, t.INT_MULT_32B_UM2)


def _add_um2(bits: float) -> float:
    return power_law(bits, 8, t.INT_ADD_8B_UM2, 32, t.INT_ADD_32B_UM2)


@dataclass(frozen=True)
class Adder(Component):
    """Integer adder of ``bits`` bits."""

    bits: int = 32
    scaling = ("[Horowitz14] 8- and 32-bit adds, power law in the width between them; energy x "
               "Stillmaker energy factor, area x Stillmaker area factor")

    def actions(self) -> dict[str, float]:
        return {"add": _add_pj(self.bits) * self.energy_scale * PJ}

    @property
    def area_m2(self) -> float:
        return _add_um2(self.bits) * self.area_scale * UM2


@dataclass(frozen=True)
class Mac(Component):
    """A ``bits`` x ``bits`` integer multiplier and an ``acc_bits`` accumulating adder."""

    bits: int = 8
    acc_bits: int = 32
    scaling = ("[Horowitz14] 8- and 32-bit multiply and add, power law in each width; energy x "
               "Stillmaker energy factor, area x Stillmaker area factor")

    def actions(self) -> dict[str, float]:
        return {"mac": (_mult_pj(self.bits) + _add_pj(self.acc_bits)) * self.energy_scale * PJ}

    @property
    def area_m2(self) -> float:
        return (_mult_um2(self.bits) + _add_um2(self.acc_bits)) * self.area_scale * UM2


def mac16_pj_45nm() -> float:
    """A 16-bit MAC with a 16-bit add at 45 nm, pJ: the unit of [Chen16]'s normalised energies."""
    return _mult_pj(16) + _add_pj(16)
