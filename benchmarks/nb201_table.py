"""Build the score table of ``benchmarks/search_quality.py``: the 725 NAS-Bench-201 architectures
that have published CIFAR-10 accuracies and NASLib zero-cost proxy scores, each costed by our
systolic cost model on a grid of 192 accelerators (139,200 pairs).

    python benchmarks/nb201_table.py [--reference benchmarks/data/nb201_naslib_zc_725archs.csv]

Architecture columns come from the reference file (NASLib's ``zc_nasbench201.json``, flattened;
see ``benchmarks/data/README.md``); latency, energy, area and the unmapped share come from
``codesign``'s cost model on the NAS-Bench-201 network (``search_spaces/nb201.py``, CIFAR-10, 32x32,
batch 1). Takes a few minutes on 2 cores; the result is ``benchmarks/data/nb201_systolic.npz``.
"""
from __future__ import annotations

import argparse
import csv
import itertools
import time
from pathlib import Path

import numpy as np

from codesign.costmodel.base import cost_model_for
from codesign.hardware.config import TEMPLATES
from codesign.search.score_table import ScoreTable
from codesign.search.stages.cost import unmapped_fraction
from codesign.spaces import create_space

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = Path(__file__).resolve().parent / "data" / "nb201_naslib_zc_725archs.csv"
OUT = HERE / "data" / "nb201_systolic.npz"

#: The quickstart's fixed hardware (experiments/quickstart.yaml) ...
HW_FIXED = {"clock_mhz": 500, "bits": 8, "tech_nm": 28, "dram_gbps": 12.8, "ofmap_sram_kib": 32}
#: ... and the searched grid: 4 x 4 x 3 x 2 x 2 = 192 accelerators.
HW_GRID = {"rows": [8, 16, 32, 64], "cols": [8, 16, 32, 64], "dataflow": ["ws", "os", "is"],
           "ifmap_sram_kib": [1, 64], "filter_sram_kib": [1, 64]}
#: Architecture columns kept from the reference file (CIFAR-10 rows).
ARCH_COLUMNS = ["val_accuracy_200ep", "params", "flops", "nwot", "jacov", "synflow", "snip", "grad_norm"]
PAIR_METRICS = ["latency_s", "energy_j", "area_mm2", "unmapped_fraction"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    with args.reference.open() as f:
        rows = [r for r in csv.DictReader(f) if r["dataset"] == "cifar10"]
    space = create_space("nb201", {})
    dims = {d.name: list(d.choices) for d in space.dimensions()}
    keys, codes, values = [], [], []
    for r in rows:
        arch = space.parse(r["arch_str"])
        keys.append(arch.key)
        codes.append([dims[name].index(arch.genotype[name]) for name in dims])
        values.append([float(r[c]) if r[c] else np.nan for c in ARCH_COLUMNS])  # one synflow is missing

    template = TEMPLATES.get("systolic")
    base = template.from_params({**template().to_params(), **HW_FIXED}, where="HW_FIXED")
    grid = list(itertools.product(*HW_GRID.values()))
    hardware = [base.replace(**dict(zip(HW_GRID, point, strict=True))) for point in grid]
    model = cost_model_for(base, None, "edp")
    pair = np.full((len(keys), len(grid), len(PAIR_METRICS)), np.nan, dtype=np.float32)
    start = time.perf_counter()
    for a, key in enumerate(keys):
        workload = space.workload(space.parse(key))
        for h, hw in enumerate(hardware):
            cost = model.evaluate(workload, hw)
            pair[a, h] = [cost.latency_s, cost.energy_j, cost.area_mm2, unmapped_fraction(cost)]
        if a % 50 == 0:
            print(f"{a + 1}/{len(keys)} architectures, {time.perf_counter() - start:.0f} s", flush=True)

    meta = {
        "space": "nb201", "space_options": {}, "arch_dims": dims, "arch_metrics": ARCH_COLUMNS, "pair_metrics": PAIR_METRICS,
        "hw_template": "systolic", "hw_fixed": HW_FIXED, "hw_params": list(HW_GRID),
        "hw_grid": [list(p) for p in grid], "goal": "edp",
        "sources": {"arch": f"{args.reference.name}: NASLib zc_nasbench201.json (Apache-2.0), CIFAR-10 rows",
                    "pairs": "codesign systolic cost model (this repository), nb201 space, batch 1"},
    }
    table = ScoreTable(meta=meta, arch_keys=np.array(keys), arch_codes=np.array(codes, dtype=np.int8),
                       arch_values=np.array(values), pair_values=pair)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.save(args.out)
    unmapped = float(np.mean(pair[..., 3] > 0))
    print(f"wrote {args.out}: {len(keys)} architectures x {len(grid)} accelerators, "
          f"{unmapped:.1%} of pairs unmappable, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
