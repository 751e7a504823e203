"""Quickstart throughput with 1 vs 2 Ray workers (search issue target: >= 1.7x).

    python benchmarks/ray_scaling.py [--trials 200] [--workers 1,2] [--sleep S]

Runs ``experiments/quickstart.yaml`` (MBConv x systolic, NSGA-II, 200 trials) on the Ray executor
with each worker count, the batch being the executor's default (2 candidates per worker), and
prints trials per second of the search loop (Ray's start-up and shut-down excluded, printed apart) and the
speed-up over the first count. A worker is one Ray actor on one core (torch limited to one
thread), so the figure is only meaningful when the machine has that many idle cores: the load
average is printed before and after so a reader can judge.

``--sleep S`` replaces the quickstart's evaluator with the ``synthetic`` one taking ``S`` seconds
of idle wait per trial: no CPU is needed, so the speed-up shows whether the engine keeps every
worker busy (ideal: the worker ratio) even on a machine whose cores are taken.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import yaml

from codesign.config.schema import parse_config
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.storage.run_dir import RunDir

ROOT = Path(__file__).resolve().parents[1]
TARGET_SPEEDUP = 1.7


def run(workers: int, trials: int, sleep: float | None) -> tuple[float, float, int]:
    """(trials per second in the loop, start-up and shut-down seconds, architecture-cache hits)."""
    data = yaml.safe_load((ROOT / "experiments" / "quickstart.yaml").read_text())
    data.update(budget={"trials": trials}, executor={"name": "ray", "workers": workers})
    if sleep is not None:
        data["evaluator"] = {"name": "synthetic", "options": {"sleep_s": sleep}}
    config = parse_config(data)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = RunDir.create(Path(tmp) / "run", config)
        start = time.perf_counter()
        summary = run_search(Experiment.from_config(config), run_dir, quiet=True)
        wall = time.perf_counter() - start
        hits = sum(bool(r.result.get("cache_hit")) for r in run_dir.trials())
    return summary.new_trials / summary.seconds, wall - summary.seconds, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--sleep", type=float, default=None, help="synthetic evaluator idling S s per trial")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rows = [(w, *run(w, args.trials, args.sleep)) for w in counts]
    base = rows[0][1]
    print(f"{'workers':>7} {'trials/s':>9} {'start/stop s':>12} {'cache hits':>10} {'speed-up':>9}")
    for workers, rate, start_stop_s, hits in rows:
        print(f"{workers:>7} {rate:>9.2f} {start_stop_s:>12.1f} {hits:>10} {rate / base:>8.2f}x")
    if len(rows) > 1:
        speedup = rows[-1][1] / base
        print(f"target            >= {TARGET_SPEEDUP}x from {counts[0]} to {counts[-1]} workers: "
              f"{'met' if speedup >= TARGET_SPEEDUP else 'NOT met'} ({speedup:.2f}x)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
