"""One pricing layer for every cost model: hardware components (MAC, adder, vector unit,
registers, register files, SRAMs, NoC hops, DRAM interface, clock network) priced from a named technology's
tables with declared node and bit-width scaling rules. Counting accesses and cycles is the cost
models' job; turning counts into joules, square metres and watts is this package's.
"""
from __future__ import annotations

from codesign.pricing.clock import EIE_CLOCK_SHARE, ClockNetwork
from codesign.pricing.component import Component
from codesign.pricing.dram import DramInterface
from codesign.pricing.mac import Adder, Mac
from codesign.pricing.register import Register, RegisterFile
from codesign.pricing.scaling import (
           MAX_NODE_NM,
           MIN_NODE_NM,
           REFERENCE_NODE_NM,
           area_scale,
           energy_scale,
)
from codesign.pricing.sram import SRAM
from codesign.pricing.technology import DDR3_PJ_PER_BIT, LPDDR4_PJ_PER_BIT, TECHNOLOGIES, Technology
from codesign.pricing.vector import VectorUnit
from codesign.pricing.wire import NocHop

__all__ = ["Adder", "ClockNetwork", "Component", "DDR3_PJ_PER_BIT", "EIE_CLOCK_SHARE", "DramInterface",
           "LPDDR4_PJ_PER_BIT", "MAX_NODE_NM", "MIN_NODE_NM", "Mac",
           "NocHop", "REFERENCE_NODE_NM", "Register", "RegisterFile", "SRAM", "TECHNOLOGIES", "Technology",
           "VectorUnit", "area_scale", "energy_scale"]
