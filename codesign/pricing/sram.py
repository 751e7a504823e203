"""SRAM macro (global buffers, ifmap/filter/ofmap SRAMs) by capacity, access width and banks."""
from __future__ import annotations

from dataclasses import dataclass

from codesign.pricing.storage import Storage


@dataclass(frozen=True)
class SRAM(Storage):
    """An SRAM; see ``Storage`` for the pricing rules."""
