"""Chip-level overheads beyond the counted datapath and memories: the clock network.

The cost models count MACs, register and SRAM accesses, NoC hops and DRAM bits; a chip also
spends power distributing its clock to every flip-flop and SRAM macro, every cycle. That share
is taken from a published post-layout breakdown of another accelerator, not from any chip we
validate against, so that the Eyeriss power comparison stays independent of it:

- EIE (Han et al., "EIE: Efficient Inference Engine on Compressed Deep Neural Network", ISCA 2016,
  Table II, 45 nm post-layout, 64 PEs): clock network 1.874 mW of 9.157 mW in total (20.5 %).

A template opts in through its ``clock_share`` parameter (0: not modelled, as in Timeloop and
ZigZag, which do not model the clock either). The clock energy is added in proportion to the
on-chip dynamic energy of each layer, so that the clock's share of the total is ``clock_share``.
"""
from __future__ import annotations

#: EIE's clock network over its total power (Han et al., ISCA 2016, Table II: 1.874 / 9.157 mW).
EIE_CLOCK_SHARE = 1.874 / 9.157


def clock_energy_factor(share: float) -> float:
    """Clock energy per unit of the other on-chip dynamic energy when the clock takes ``share``
    of the total: share / (1 - share)."""
    return share / (1.0 - share)
