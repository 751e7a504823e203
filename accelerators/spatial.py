"""Spatial PE array (Eyeriss-like): a rows x cols grid of PEs, each with a multiplier-accumulator and
a register file, fed from a shared global buffer over an on-chip network, with DRAM behind it.

The dataflow decides what each PE's register file holds (``codesign.costmodel.dataflows``): ``rs``
row stationary (Eyeriss), ``ws`` weight stationary (NVDLA-like), ``os`` output stationary
(ShiDianNao-like)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from codesign.hardware.config import TEMPLATES, AcceleratorConfig, param
from codesign.pricing.technology import LPDDR4_PJ_PER_BIT


@TEMPLATES.register("spatial")
@dataclass(frozen=True)
class SpatialArray(AcceleratorConfig):
    """PE array with per-PE register files, a global buffer and a NoC; row-, weight- or
    output-stationary."""

    template: ClassVar[str] = "spatial"
    default_cost_model: ClassVar[str] = "spatial"
    default_search: ClassVar[dict[str, list]] = {
        "rows": [8, 12, 16, 32],
        "cols": [8, 14, 16, 32],
        "dataflow": ["rs", "ws", "os"],
        "rf_bytes": [64, 128, 256, 512, 1024],
        "glb_kib": [32, 64, 108, 256, 512],
    }

    rows: int = param(12, doc="PE array rows", minimum=1)
    cols: int = param(14, doc="PE array columns", minimum=1)
    rf_bytes: float = param(520.0, unit="B", doc="register file (scratchpads) per PE", minimum=0)
    glb_kib: float = param(108.0, unit="KiB", doc="global buffer", minimum=0)
    dataflow: str = param("rs", doc="dataflow", choices=("rs", "ws", "os"))
    noc_gbps: float = param(4.8, unit="GB/s", doc="global buffer <-> PE array bandwidth", minimum=0)
    dram_gbps: float = param(0.72, unit="GB/s", doc="off-chip DRAM bandwidth", minimum=0)
    dram_pj_per_bit: float = param(LPDDR4_PJ_PER_BIT, unit="pJ/bit", doc="DRAM access energy", minimum=0)
    clock_mhz: float = param(200.0, unit="MHz", doc="core clock", minimum=0)
    bits: int = param(16, unit="bit", doc="precision of weights and activations", minimum=1)
    psum_bits: int = param(16, unit="bit", doc="precision of partial sums", minimum=1)
    tech_nm: float = param(65.0, unit="nm", doc="CMOS technology node", minimum=0)

    def problems(self) -> list[str]:
        out = super().problems()
        if self.psum_bits > 64:
            out.append(f"psum_bits must be <= 64, got {self.psum_bits}")
        return out

    @property
    def noc_bytes_per_cycle(self) -> float:
        """Global buffer <-> array bandwidth in bytes per core clock cycle."""
        return self.noc_gbps * 1e9 / self.clock_hz

    def summary(self) -> str:
        return f"spatial {self.rows}x{self.cols} {self.dataflow} rf={self.rf_bytes:g}B glb={self.glb_kib:g}KiB {self.bits}b"
