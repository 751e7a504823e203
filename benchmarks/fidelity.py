"""Cost-model fidelity: every comparison with SCALE-Sim, Timeloop+Accelergy, measured Eyeriss silicon,
ZigZag and real TPUs (TPU v4 GEMMs, Coral's Edge TPU latencies) side by side (reference / ours / error), then a summary per suite.

    python benchmarks/fidelity.py [--suite scalesim timeloop eyeriss zigzag tpu] [--markdown]

The reference data and its sources are in tests/data (README there); the comparisons themselves
are defined in tests/costmodel/fidelity_cases.py, which tests/costmodel/test_fidelity.py checks
against the issue's tolerances. A row with a tolerance prints "ok" or "MISS"; rows without one are
reported only. The "kind" column says what each row is evidence of: independent (our model, mapper
and prices), imposed mapping (the reference's own mapping given to our model), calibrated on this
reference (a constant taken from the reference it is compared with), or by construction (our model
reimplements the reference's formula). The summary gives the independent rows on their own.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.costmodel import fidelity_cases as fc  # noqa: E402
from tests.costmodel import tpu_cases  # noqa: E402

SUITES = {"scalesim": fc.scalesim_comparisons, "timeloop": fc.timeloop_comparisons,
          "eyeriss": fc.eyeriss_comparisons, "zigzag": fc.zigzag_comparisons,
          "tpu": tpu_cases.tpu_comparisons}


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", nargs="*", choices=list(SUITES), default=list(SUITES))
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()
    rows = [row for name in args.suite for row in SUITES[name]()]
    header = ("suite", "case", "metric", "reference", "ours", "error", "target", "check", "kind", "note")
    table = [(r.suite, r.case, r.metric, _fmt(r.reference), _fmt(r.ours), f"{r.error:+.1%}",
              r.target,
              ("ok" if r.ok else "MISS") if r.checked else "", r.kind, r.note) for r in rows]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for line in table:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(header, *table, strict=True)]
        for line in (header, *table):
            print("  ".join(str(x).ljust(w) if i in (0, 1, 2, 8, 9) else str(x).rjust(w)
                            for i, (x, w) in enumerate(zip(line, widths, strict=True))).rstrip())
    print()
    for name in args.suite:
        suite = [r for r in rows if r.suite == name]
        checked = [r for r in suite if r.checked]
        misses = sum(not r.ok for r in checked)
        errors = sorted(abs(r.error) for r in (checked or suite))
        which = "targeted" if checked else "reported"
        print(f"{name:9} {len(suite):3} rows, {len(checked):3} with a target ({len(checked) - misses} within it, "
              f"{misses} missed); {which} |error|: median {errors[len(errors) // 2]:.1%}, largest {errors[-1]:.1%}")
        for kind in fc.KINDS:
            some = sorted(abs(r.error) for r in suite if r.kind == kind)
            if some:
                print(f"{'':9}   {kind:29} {len(some):3} rows; |error| median {some[len(some) // 2]:.1%}, "
                      f"largest {some[-1]:.1%}")


if __name__ == "__main__":
    main()
