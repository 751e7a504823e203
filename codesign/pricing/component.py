"""Base class of a priced hardware component (in the style of Accelergy's hwcomponents).

A component is a frozen description (its technology, node and size parameters) whose energies
per action, area and leakage follow from the technology's tables and declared scaling rules. All
results are SI: joules per action, square metres, watts. Components are hashable, so whatever
prices a hardware configuration from them can be cached per configuration.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from codesign.pricing.scaling import area_scale, energy_scale
from codesign.pricing.technology import TECHNOLOGIES, Technology

PJ = 1e-12        # J
UM2 = 1e-12       # m^2


@dataclass(frozen=True)
class Component(ABC):
    """One hardware component at ``node_nm`` in ``technology`` (a ``TECHNOLOGIES`` name)."""

    technology: str
    node_nm: float
    #: The component's node and bit-width scaling rule, in words (shown by the docs and tests).
    scaling: ClassVar[str] = ""

    @property
    def tech(self) -> type[Technology]:
        return TECHNOLOGIES.get(self.technology, field="technology")

    @property
    def energy_scale(self) -> float:
        return energy_scale(self.node_nm)

    @property
    def area_scale(self) -> float:
        return area_scale(self.node_nm)

    @abstractmethod
    def actions(self) -> dict[str, float]:
        """Energy of each action, J."""

    def energy_j(self, action: str) -> float:
        """Energy of one ``action``, J."""
        return self.actions()[action]

    @property
    def area_m2(self) -> float:
        return 0.0

    @property
    def leakage_w(self) -> float:
        return 0.0
