"""Systolic array (TPU-like): a rows x cols grid of MACs fed from three SRAMs, as SCALE-Sim models
it. Parameter names follow SCALE-Sim's configuration file (ArrayHeight → rows, ArrayWidth →
cols, IfmapSramSzkB → ifmap_sram_kib, ...)."""
from __future__ import annotations

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

    def summary(self) -> str:
        kib = self.ifmap_sram_kib + self.filter_sram_kib + self.ofmap_sram_kib
        return f"systolic {self.rows}x{self.cols} {self.dataflow} {kib:g}KiB {self.bits}b"
