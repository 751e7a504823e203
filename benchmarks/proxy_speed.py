"""Seconds per architecture per proxy on one CPU core, at the experiment default batch (16).

    python benchmarks/proxy_speed.py [--archs 20] [--batch-size 16] [--space nb201]

Architectures are drawn with a seeded random sampler; each proxy is timed on each (model build
included, as a search pays it), after one warm-up architecture. The default proxy (`combo`) is
timed without its one-off reference sample, which is timed separately: a search pays it once.
Target (issue 5): the default proxy <= 1 s per NAS-Bench-201 network.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import optuna  # noqa: E402
import torch  # noqa: E402

from codesign.search.design import model_pipeline  # noqa: E402

PROXIES = ("synflow", "naswot", "jacob_cov", "snip", "grad_norm", "fisher", "zico", "params", "flops", "combo")
TARGET_S = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", default="nb201")
    parser.add_argument("--archs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    stages = {name: model_pipeline(args.space, proxy=name, proxy_batch_size=args.batch_size, cost=False).stage("proxy")
              for name in PROXIES}
    start = time.perf_counter()
    stages["combo"].prepare()
    reference_s = time.perf_counter() - start
    space = stages["combo"].space
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=123))
    archs = []
    for _ in range(args.archs + 1):
        trial = study.ask()
        archs.append(space.sample(trial))
        study.tell(trial, 0.0)
    times: dict[str, list[float]] = {name: [] for name in PROXIES}
    for i, arch in enumerate(archs):
        for name, stage in stages.items():
            t0 = time.perf_counter()
            score = stage.score(arch)
            elapsed = time.perf_counter() - t0
            if not score.ok:
                print(f"  {name} failed on {arch.key}: {score.error}")
            if i > 0:  # the first architecture warms up kernels and imports
                times[name].append(elapsed)
    print(f"{args.space}, {args.archs} architectures, batch {args.batch_size}, 1 thread "
          f"(combo reference: {reference_s:.1f} s once per search)")
    print(f"{'proxy':<10} {'mean s':>8} {'median s':>9} {'max s':>7}")
    for name, values in times.items():
        print(f"{name:<10} {np.mean(values):>8.3f} {np.median(values):>9.3f} {np.max(values):>7.3f}")
    mean_combo = float(np.mean(times["combo"]))
    verdict = "met" if mean_combo <= TARGET_S else "NOT met"
    print(f"default proxy (combo): {mean_combo:.3f} s per architecture, target <= {TARGET_S:g} s: {verdict}")


if __name__ == "__main__":
    main()
