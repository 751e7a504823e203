"""The systolic model's ``edge_tpu`` preset against Coral's published Edge TPU latencies (USB
Accelerator, ImageNet models; data and source in tests/data/edge_tpu/README.md).

    python benchmarks/edge_tpu.py [--set op_overhead_us=0 ...] [--calibrate] [--extract]

Prints per model: parameters, layers, what of the parameters the 8 MB cache holds, Coral's latency,
ours and the error, then the median absolute error and Spearman over the validation models and over
all. MobileNet v1/v2 calibrate the preset's one fitted constant (``op_overhead_us``); the others
only validate it. ``--extract`` rebuilds the layer tables from timm (needs timm, a minute or two).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codesign.costmodel.tpu_overheads import cached_parameters  # noqa: E402
from codesign.hardware.presets import load_accelerator, parse_overrides  # noqa: E402
from tests.costmodel import tpu_cases as tc  # noqa: E402


def extract() -> None:
    """Rewrite tests/data/edge_tpu/workloads/*.yaml from timm (random weights: shapes only)."""
    import timm

    from codesign.workload.extract import extract_workload
    for row in tc.coral_rows():
        size = int(row["input"])
        model = timm.create_model(row["timm_name"], pretrained=False)
        workload = extract_workload(model, (3, size, size), name=row["timm_name"])
        workload.save_yaml(tc.DATA / "edge_tpu" / "workloads" / f"{row['timm_name']}.yaml")
        print(f"extracted {row['timm_name']}: {len(workload.layers)} layers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--calibrate", action="store_true", help="refit op_overhead_us on the calibration rows")
    parser.add_argument("--extract", action="store_true", help="rebuild the layer tables from timm first")
    args = parser.parse_args()
    if args.extract:
        extract()
    if args.calibrate:
        print(f"op_overhead_us fitted on MobileNet v1/v2: {tc.calibrate_edge_overhead_us():.3f} us")
    overrides = parse_overrides(args.overrides)
    hw = load_accelerator("edge_tpu", overrides)
    rows = tc.coral_rows()
    agreement = tc.edge_tpu_agreement(overrides, rows)
    print(f"{'model':<24} {'role':<11} {'params M':>8} {'layers':>6} {'cached':>6} {'Coral ms':>8} "
          f"{'ours ms':>8} {'error':>7}")
    macs = np.zeros(len(rows))  # the baseline a ranking must be read against: MAC counts alone
    for i, row in enumerate(rows):
        workload = tc.coral_workload(row["timm_name"])
        macs[i] = workload.macs
        cached = cached_parameters(workload, hw.param_cache_kib * 1024, hw.bits / 8)
        static = workload.arrays.static_weights
        share = workload.arrays.weight_elems[static & cached].sum() / max(workload.arrays.weight_elems[static].sum(), 1)
        print(f"{row['model']:<24} {row['role']:<11} {workload.params / 1e6:>8.1f} {len(workload.layers):>6} "
              f"{share:>6.0%} {agreement.measured_s[i] * 1e3:>8.1f} {agreement.predicted_s[i] * 1e3:>8.2f} "
              f"{agreement.errors[i]:>+7.0%}")
    roles = np.array([r["role"] for r in rows])
    for name, mask in (("validation", roles == "validation"), ("all", np.ones(len(rows), dtype=bool))):
        part = agreement.subset(mask)
        print(f"{name}: {int(mask.sum())} models, median |error| {part.median_abs_error:.1%}, "
              f"median error {part.median_error:+.1%}, Spearman {part.spearman:.3f} "
              f"(MACs alone: {spearmanr(macs[mask], part.measured_s)[0]:.3f})")


if __name__ == "__main__":
    main()
