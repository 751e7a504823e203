"""Vector unit: ``lanes`` adders of ``bits`` bits (activations, pooling, element-wise adds)."""
from __future__ import annotations

from dataclasses import dataclass

from codesign.pricing.component import Component
from codesign.pricing.mac import Adder


@dataclass(frozen=True)
class VectorUnit(Component):
    """One element operation costs one add of ``bits`` bits; area is ``lanes`` adders."""

    lanes: int = 1
    bits: int = 32
    scaling = "as Adder per lane; area linear in the lane count"

    @property
    def _adder(self) -> Adder:
        return Adder(self.technology, self.node_nm, self.bits)

    def actions(self) -> dict[str, float]:
        return {"op": self._adder.energy_j("add")}

    @property
    def area_m2(self) -> float:
        return self.lanes * self._adder.area_m2
