"""How long ``codesign report`` takes on a 1,000-trial run and how much the page weighs.
Targets (report issue): builds in < 5 s, weighs < 10 MB.

    python benchmarks/report_speed.py [--trials 1000] [--detail N] [--keep DIR]

The run is the test suite's tiny MBConv x systolic experiment (three objectives, 15 searched
parameters, NSGA-II) scored by the ``synthetic`` evaluator, so 1,000 trials take seconds to make;
the report then re-scores its front designs with the analytical cost model (their per-layer
detail: one network trace per distinct architecture, one cost-model call per design). The build
is timed in-process after the libraries are imported (torch, the registries: printed apart),
phase by phase, and then end to end as ``codesign report`` in a fresh interpreter (imports
included).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codesign.report.options import DETAIL_LIMIT  # noqa: E402 - after the path set-up

TARGET_S = 5.0
TARGET_MB = 10.0


def make_run(path: Path, trials: int) -> None:
    from tests.search.helpers import run_config, synthetic_config

    config = synthetic_config({"unmappable": {"hw.dataflow": ["is"]}}, budget={"trials": trials},
                              constraints={"area": "<= 0.6 mm2"})
    run_config(path, config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--detail", type=int, default=DETAIL_LIMIT, help="front designs with per-layer detail")
    parser.add_argument("--keep", type=Path, help="make the run (and report) here and keep them")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from codesign.report import collect, convergence, importance
    from codesign.report.html import write_html
    from codesign.report.trials import load_run

    print(f"imports: {time.perf_counter() - t0:.2f} s (not counted)")
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        run = base / "run"
        if not (run / "config.yaml").is_file():
            t = time.perf_counter()
            make_run(run, args.trials)
            print(f"made a {args.trials}-trial synthetic run in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        load_run(run)  # imports torch and the registered spaces, templates, cost models
        print(f"first read (imports the registries): {time.perf_counter() - t:.2f} s (not counted)")
        start = time.perf_counter()
        view = load_run(run)
        t_load = time.perf_counter() - start
        t = time.perf_counter()
        conv = convergence.convergence(view.records, view.objectives)
        t_conv = time.perf_counter() - t
        t = time.perf_counter()
        ranked = importance.importances(view.frozen, view.records, view.objectives)
        t_imp = time.perf_counter() - t
        t = time.perf_counter()
        payload = collect.run_payload(view, detail_limit=args.detail)
        t_payload = time.perf_counter() - t
        t = time.perf_counter()
        out = write_html(payload, base / "report.html")
        t_write = time.perf_counter() - t
        total = t_load + t_payload + t_write
        size_mb = out.stat().st_size / 1e6
        archs = {str(r.part_data("arch")) for r in view.front.trials}
        print(f"trials {len(view.records)}, front {len(view.front.trials)} ({len(archs)} distinct architectures), "
              f"per-layer detail for {len(payload['details'])}, hypervolume points {len(conv['hv_finished'])}, "
              f"importances from {ranked.trials} of {ranked.feasible} feasible trials")
        print(f"read run {t_load:.2f} s | payload {t_payload:.2f} s (of which convergence ~{t_conv:.2f} s, "
              f"importances ~{t_imp:.2f} s, rest: front-design detail and rows) | write {t_write:.2f} s")
        print(f"report built in {total:.2f} s (target < {TARGET_S:g} s): {'PASS' if total < TARGET_S else 'FAIL'}")
        print(f"report weighs {size_mb:.2f} MB (target < {TARGET_MB:g} MB): {'PASS' if size_mb < TARGET_MB else 'FAIL'}")
        t = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        subprocess.run([sys.executable, "-m", "codesign.cli.main", "report", str(run), "--out", str(base / "cli.html"),
                        "--detail", str(args.detail)], check=True, env=env, capture_output=True)
        print(f"`codesign report` end to end (fresh interpreter, imports included): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
