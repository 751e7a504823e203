"""Clock network: a priced overhead on the chip's on-chip dynamic energy.

The cost models count MACs, register and SRAM accesses, NoC hops and DRAM bits; a chip also
spends power distributing its clock to every flip-flop and SRAM macro, every cycle. That share
is taken from a published post-layout breakdown of another accelerator, not from any chip we
validate against, so that the Eyeriss power comparison stays independent of it:

- [EIE] S. Han et al., "EIE: Efficient Inference Engine on Compressed Deep Neural Network",
  ISCA 2016, Table II, 45 nm post-layout, 64 PEs: clock network 1.874 mW of 9.157 mW (20.5 %).

A template opts in through its ``clock_share`` parameter (0: not modelled, as in Timeloop and
ZigZag, which do not model the clock either). The clock's energy is added in proportion to the
on-chip dynamic energy, so that it takes ``share`` of the sum of both.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codesign.pricing.component import Component

#: [EIE] Table II: the clock network over the chip's total power, 1.874 / 9.157 mW.
EIE_CLOCK_SHARE = 1.874 / 9.157


@dataclass(frozen=True)
class ClockNetwork(Component):
    """The clock tree of a chip whose clock takes ``share`` of the on-chip dynamic energy."""

    share: float = 0.0
    scaling = ("none of its own: a share of the on-chip dynamic energy, which carries the node and "
               "width scaling of the components it clocks")

    @property
    def per_dynamic_joule(self) -> float:
        """Clock energy per joule of the other on-chip dynamic energy: share / (1 - share)."""
        return self.share / (1.0 - self.share)

    def actions(self) -> dict[str, float]:
        """No action of its own: its energy follows the counted ones (``energy_for``)."""
        return {}

    def energy_for(self, dynamic_j: np.ndarray | float) -> np.ndarray | float:
        """Clock energy (J, same shape as ``dynamic_j``) for this on-chip dynamic energy."""
        return dynamic_j * self.per_dynamic_joule
