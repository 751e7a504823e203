"""Quickstart throughput: runs experiments/quickstart.yaml into a temporary directory and prints
trials, wall time and trials per second against issue 13's target (>= 200 trials in < 60 s on an
idle 2-core machine; the foundation's was 180 s), the CPU seconds of this process and its worker
processes (comparable where the wall time is not: on a shared machine), and where the time goes
(architecture work vs cost model, cache hits).

    python benchmarks/quickstart.py [--config experiments/quickstart.yaml]
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from codesign.api import run
from codesign.storage.run_dir import RunDir

TARGET_TRIALS = 200
TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(Path(__file__).resolve().parents[1] / "experiments" / "quickstart.yaml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = run(args.config, out=Path(tmp) / "run", quiet=True)
        wall = time.perf_counter() - start
        records = RunDir(Path(tmp) / "run").trials()
    cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    hits = sum(bool(r.result.get("cache_hit")) for r in records)
    arch_s = sum(r.result.get("arch_seconds", 0.0) for r in records)
    eval_s = sum(r.result.get("seconds", 0.0) for r in records)
    print(f"trials            {summary.finished} (failed {summary.failed}, front {summary.front_size})")
    print(f"wall time         {wall:.1f} s including start-up ({summary.seconds:.1f} s in the loop)")
    print(f"rate              {summary.finished / wall:.2f} trials/s")
    print(f"CPU time          {cpu:.1f} s (this process and its workers, user + system)")
    print(f"architecture work {arch_s:.1f} s ({hits} of {len(records)} trials hit the architecture cache)")
    overhead = summary.seconds - eval_s  # negative where workers evaluate in parallel: not measured then
    print(f"evaluation total  {eval_s:.1f} s summed over the trials; loop overhead (ask/tell, storage) "
          f"{f'{overhead:.1f} s' if overhead >= 0 else 'not separable (parallel workers)'}")
    print(f"target            >= {TARGET_TRIALS} trials in < {TARGET_SECONDS:.0f} s: "
          f"{'met' if summary.finished >= TARGET_TRIALS and wall < TARGET_SECONDS else 'NOT met'} "
          f"({wall / TARGET_SECONDS:.2f} of the time budget)")


if __name__ == "__main__":
    main()
