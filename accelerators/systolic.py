"""Systolic array (TPU-like): a rows x cols grid of MACs fed from three SRAMs, as SCALE-Sim models
it. Parameter names follow SCALE-Sim's configuration file (ArrayHeight → rows, ArrayWidth →
cols, IfmapSramSzkB → ifmap_sram_kib, ...)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from codesign.hardware.config import TEMPLATES, AcceleratorConfig, param
from codesign.pricing.technology import LPDDR4_PJ_PER_BIT


@TEMPLATES.register("systolic")
@dataclass(frozen=True)
class SystolicArray(AcceleratorConfig):
    """Weight-, output- or input-stationary systolic array with separate ifmap, filter and
    ofmap SRAMs and a vector unit of ``cols`` lanes for activations, pooling and adds."""

    template: ClassVar[str] = "systolic"
    default_cost_model: ClassVar[str] = "systolic"
    default_search: ClassVar[dict[str, list]] = {
        "rows": [8, 16, 32, 64, 128],
        "cols": [8, 16, 32, 64, 128],
        "dataflow": ["ws", "os", "is"],
        "ifmap_sram_kib": [16, 32, 64, 128, 256, 512],
        "filter_sram_kib": [16, 32, 64, 128, 256, 512],
        "ofmap_sram_kib": [16, 32, 64, 128, 256],
    }

    rows: int = param(32, doc="PE array rows (SCALE-Sim ArrayHeight)", minimum=1)
    cols: int = param(32, doc="PE array columns (SCALE-Sim ArrayWidth)", minimum=1)
    dataflow: str = param("ws", doc="dataflow", choices=("ws", "os", "is"))
    ifmap_sram_kib: float = param(64.0, unit="KiB", doc="input activation SRAM", minimum=0)
    filter_sram_kib: float = param(64.0, unit="KiB", doc="weight SRAM", minimum=0)
    ofmap_sram_kib: float = param(64.0, unit="KiB", doc="output / partial-sum SRAM", minimum=0)
    dram_gbps: float = param(25.6, unit="GB/s", doc="off-chip DRAM bandwidth", minimum=0)
    dram_pj_per_bit: float = param(LPDDR4_PJ_PER_BIT, unit="pJ/bit", doc="DRAM access energy", minimum=0)
    clock_mhz: float = param(500.0, unit="MHz", doc="core clock", minimum=0)
    bits: int = param(8, unit="bit", doc="precision of weights and activations", minimum=1)
    acc_bits: int = param(32, unit="bit", doc="accumulator width of partial sums", minimum=1)
    tech_nm: float = param(28.0, unit="nm", doc="CMOS technology node", minimum=0)
    # What real TPUs add to a bare SCALE-Sim array (codesign/costmodel/tpu_overheads.py); the
    # defaults leave the bare array unchanged.
    arrays: int = param(1, doc="identical arrays (MXUs / cores) that share each layer's folds", minimum=1)
    op_overhead_us: float = param(0.0, unit="us", doc="fixed dispatch and synchronisation time per operation")
    param_cache_kib: float = param(0.0, unit="KiB", doc="on-chip memory that keeps parameters across "
                                   "inferences (Edge TPU parameter caching); the rest stream from DRAM/host")
    host_gbps: float = param(0.0, unit="GB/s", doc="host link (USB / PCIe) carrying the network input, output "
                             "and uncached parameters every inference; 0: no host link modelled")

    def problems(self) -> list[str]:
        out = super().problems()
        for name in ("op_overhead_us", "param_cache_kib", "host_gbps"):  # 0 is valid: the overhead is off
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                out.append(f"{name} must be >= 0, got {value!r}")
        if self.acc_bits > 64:  # as the spatial template's psum_bits: no accumulator is wider
            out.append(f"acc_bits must be <= 64, got {self.acc_bits}")
        return out

    @property
    def num_pes(self) -> int:
        return self.rows * self.cols * self.arrays

    def summary(self) -> str:
        kib = self.ifmap_sram_kib + self.filter_sram_kib + self.ofmap_sram_kib
        many = f"{self.arrays}x " if self.arrays > 1 else ""
        return f"systolic {many}{self.rows}x{self.cols} {self.dataflow} {kib:g}KiB {self.bits}b"
