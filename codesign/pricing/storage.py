"""What every on-chip store shares: energy per byte and area per bit as a function of capacity,
interpolated log-log in the technology's tables (cached per technology and capacity)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from codesign.pricing.component import PJ, UM2, Component
from codesign.pricing.technology import REGISTER_FILE_MAX_BYTES, TECHNOLOGIES


def _loglog(points: tuple[tuple[float, float], ...], x: float, extrapolate: bool) -> float:
    """Log-log interpolation through ``points``; below the first point its value, above the last
    one the last segment's slope (or its value when not ``extrapolate``)."""
    xs = [math.log(p[0]) for p in points]
    ys = [math.log(p[1]) for p in points]
    lx = math.log(max(x, points[0][0]))
    if len(points) == 1 or lx <= xs[0]:
        return points[0][1]
    for i in range(1, len(xs)):
        if lx <= xs[i]:
            frac = (lx - xs[i - 1]) / (xs[i] - xs[i - 1])
            return math.exp(ys[i - 1] + frac * (ys[i] - ys[i - 1]))
    if not extrapolate:
        return points[-1][1]
    slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    return math.exp(ys[-1] + slope * (lx - xs[-1]))


@lru_cache(maxsize=1024)
def pj_per_byte_45nm(technology: str, capacity_bytes: float) -> float:
    """Energy to read one byte of a store of ``capacity_bytes`` at 45 nm, pJ."""
    return _loglog(TECHNOLOGIES.get(technology).storage_pj_per_byte, capacity_bytes, extrapolate=True)


@lru_cache(maxsize=1024)
def um2_per_bit_45nm(technology: str, capacity_bytes: float) -> float:
    """Area of one bit of a store of ``capacity_bytes`` at 45 nm: flip-flops up to
    ``REGISTER_FILE_MAX_BYTES``, SRAM macro above."""
    tech = TECHNOLOGIES.get(technology)
    if capacity_bytes <= REGISTER_FILE_MAX_BYTES:
        return tech.register_um2_per_bit
    return _loglog(tech.sram_um2_per_bit, capacity_bytes, extrapolate=False)


@dataclass(frozen=True)
class Storage(Component):
    """A store of ``capacity_bytes`` in ``banks`` banks, accessed ``width_bits`` at a time."""

    capacity_bytes: float = 1024.0
    width_bits: int = 64
    banks: int = 1
    scaling = ("energy per byte: log-log in the capacity of one bank between the technology's "
               "cited points, linear in the access width, x Stillmaker energy factor; area per bit "
               "by capacity x Stillmaker area factor; leakage per bit x Stillmaker energy factor")

    @property
    def bank_bytes(self) -> float:
        return self.capacity_bytes / max(self.banks, 1)

    @property
    def read_j_per_byte(self) -> float:
        return pj_per_byte_45nm(self.technology, self.bank_bytes) * self.energy_scale * PJ

    @property
    def write_j_per_byte(self) -> float:
        return self.read_j_per_byte * self.tech.write_relative_to_read

    def actions(self) -> dict[str, float]:
        word = self.width_bits / 8.0
        return {"read": word * self.read_j_per_byte, "write": word * self.write_j_per_byte}

    @property
    def area_m2(self) -> float:
        bits = self.capacity_bytes * 8
        return bits * um2_per_bit_45nm(self.technology, self.capacity_bytes) * self.area_scale * UM2

    @property
    def leakage_w(self) -> float:
        return self.capacity_bytes * 8 * self.tech.sram_leakage_w_per_bit * self.energy_scale
