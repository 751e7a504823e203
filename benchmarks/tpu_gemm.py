"""The systolic model's ``tpu_v4`` preset against 1,296 GEMM kernel times measured on a TPU v4
(SCALE-Sim-validation; data and source in tests/data/README.md).

    python benchmarks/tpu_gemm.py [--set arrays=4 ...] [--worst 10] [--calibrate]

Prints, over all shapes and per measured set, the median absolute and signed relative error and
Spearman's rank correlation (beside the Spearman of M x N x K alone, the baseline any ranking
must be read against), with what kind of comparison each set is: ``lt128`` calibrates the
preset's one fitted constant (``op_overhead_us``), the other sets validate it. ``--set`` evaluates a
variant of the preset (e.g. ``arrays=4``, one TensorCore's MXUs); ``--calibrate`` prints the fitted
constant afresh.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codesign.hardware.presets import parse_overrides  # noqa: E402
from tests.costmodel import tpu_cases as tc  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--worst", type=int, default=5, help="list the N largest errors")
    parser.add_argument("--calibrate", action="store_true", help="refit op_overhead_us on the lt128 set")
    args = parser.parse_args()
    if args.calibrate:
        print(f"op_overhead_us fitted on '{tc.TPU_CALIBRATION_SET}': {tc.calibrate_tpu_overhead_us():.3f} us")
    rows = tc.tpu_gemm_rows()
    agreement = tc.tpu_gemm_agreement(parse_overrides(args.overrides), rows)
    sets = tc.tpu_gemm_sets(rows)
    # The baseline a ranking must be read against: the GEMM's arithmetic alone (M x N x K).
    mnk = np.array([float(r["M"]) * float(r["N"]) * float(r["K"]) for r in rows])
    print(f"{'set':<11} {'shapes':>6} {'kind':<24} {'median |err|':>12} {'median err':>10} {'Spearman':>8} "
          f"{'MNK alone':>9}")
    groups = ([("all", np.ones(len(rows), dtype=bool)), ("validation", sets != tc.TPU_CALIBRATION_SET)]
              + [(s, sets == s) for s in dict.fromkeys(sets)])
    for name, mask in groups:
        part = agreement.subset(mask)
        kind = ("calibration (overhead)" if name == tc.TPU_CALIBRATION_SET else
                "all (1 constant fitted)" if name == "all" else "validation")
        baseline = spearmanr(mnk[mask], part.measured_s)[0]
        print(f"{name:<11} {int(mask.sum()):>6} {kind:<24} {part.median_abs_error:>12.1%} "
              f"{part.median_error:>+10.1%} {part.spearman:>8.3f} {baseline:>9.3f}")
    order = np.argsort(-np.abs(agreement.errors))[:args.worst]
    for i in order:
        print(f"  worst: {agreement.names[i]:<26} measured {agreement.measured_s[i] * 1e6:9.2f} us  "
              f"ours {agreement.predicted_s[i] * 1e6:9.2f} us  {agreement.errors[i]:+.0%}")


if __name__ == "__main__":
    main()
