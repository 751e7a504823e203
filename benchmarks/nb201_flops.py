"""Our NAS-Bench-201 workload against NASLib's FLOP and parameter counts, on every architecture of
benchmarks/data/nb201_naslib_zc_725archs.csv.

    python benchmarks/nb201_flops.py [--limit N]

Prints, per data set, how far the workload's MACs are from NASLib's `flops` column, and how far
`NB201Space.benchmark_flops` (the MACs plus NAS-Bench-201's counting conventions) is; and whether the
built network's parameter count equals NASLib's `params`.
"""
from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from codesign.spaces import create_space
from codesign.workload.extract import extract_workload

DATA = Path(__file__).resolve().parent / "data" / "nb201_naslib_zc_725archs.csv"
CLASSES = {"cifar10": 10, "cifar100": 100}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N architectures per data set")
    args = parser.parse_args()
    with DATA.open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["dataset"] in CLASSES]
    start = time.perf_counter()
    for dataset, classes in CLASSES.items():
        space = create_space("nb201", {"num_classes": classes})
        picked = [r for r in rows if r["dataset"] == dataset][: args.limit]
        mac_error, flop_error, params_equal = [], [], 0
        for row in picked:
            arch = space.parse(row["arch_str"])
            model = space.build(arch)
            workload = extract_workload(model, space.input_shape(arch), name=arch.ref, fuse=False)
            naslib = float(row["flops"]) * 1e6
            mac_error.append(workload.macs / naslib - 1)
            flop_error.append(abs(space.benchmark_flops(arch, workload) - naslib))
            params = sum(p.numel() for p in model.parameters())
            params_equal += params == round(float(row["params"]) * 1e6)
        mac = 100 * np.array(mac_error)
        print(f"{dataset}: {len(picked)} architectures")
        print(f"  workload MACs vs NASLib flops:     median {np.median(mac):+.1f} %, range {mac.min():+.1f} .. {mac.max():+.1f} %")
        print(f"  benchmark_flops vs NASLib flops:   largest |difference| {max(flop_error):.0f} operations "
              f"(NASLib prints 1e-6 M)")
        print(f"  parameter count equal to NASLib's: {params_equal} of {len(picked)}")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
