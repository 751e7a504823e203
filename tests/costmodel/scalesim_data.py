"""Readers for the SCALE-Sim reference files under tests/data/scalesim (see its README)."""
from __future__ import annotations

import configparser
import csv
import math
from pathlib import Path

from codesign.workload import Layer

SCALESIM = Path(__file__).resolve().parents[1] / "data" / "scalesim"


def read_topology(path: Path) -> list[Layer]:
    """A SCALE-Sim topology CSV as conv layers, with SCALE-Sim's output-size rule."""
    layers = []
    for row in list(csv.reader(path.open()))[1:]:
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        name, h, w, r, s, c, k, stride = cells[0], *map(int, cells[1:8])
        p = math.ceil((h - r + stride) / stride)
        q = math.ceil((w - s + stride) / stride)
        layers.append(Layer(name=name, op="conv", K=k, C=c, P=p, Q=q, R=r, S=s, H=h, W=w,
                            stride_h=stride, stride_w=stride))
    return layers


def read_config(name: str) -> dict:
    cfg = configparser.ConfigParser()
    cfg.read(SCALESIM / f"cfg_{name}.cfg")
    arch = cfg["architecture_presets"]
    return {"rows": int(arch["ArrayHeight"]), "cols": int(arch["ArrayWidth"]), "dataflow": arch["Dataflow"].strip(),
            "ifmap_sram_kib": float(arch["IfmapSramSzkB"]), "filter_sram_kib": float(arch["FilterSramSzkB"]),
            "ofmap_sram_kib": float(arch["OfmapSramSzkB"])}


def compute_reports() -> list[dict]:
    return list(csv.DictReader((SCALESIM / "scalesim3_compute_reports.csv").open()))
