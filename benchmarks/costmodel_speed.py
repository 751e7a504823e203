"""Cost-model speed: full-network evaluations per second (mapping search included) on one core.

Workload extraction (torch.fx tracing) is timed separately: a search caches it per architecture.

    python benchmarks/costmodel_speed.py [--seconds 3] [--accelerators eyeriss tpu_v1]

Prints one row per (network, accelerator): layers, extraction time, evaluations per second (the
best of 15 timing batches, which filters out other processes on a shared machine, and the mean
over all batches), and the ratio of the best to the 1,000 evaluations/s target (issue 3).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import timm  # noqa: E402
import torch  # noqa: E402

from codesign.costmodel.base import cost_model_for  # noqa: E402
from codesign.hardware.config import TEMPLATES  # noqa: E402
from codesign.hardware.presets import load_accelerator, presets  # noqa: E402
from codesign.workload.extract import extract_workload  # noqa: E402

NETWORKS = ("mobilenetv2_100", "resnet50")
TARGET_PER_S = 1000.0


def rate(fn, seconds: float, batches: int = 15) -> tuple[float, float]:
    """(best batch rate, mean rate) of calls per second over ``batches`` batches."""
    fn()  # warm up
    best, calls, total = 0.0, 0, 0.0
    for _ in range(batches):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / batches:
            fn()
            n += 1
        elapsed = time.perf_counter() - start
        best, calls, total = max(best, n / elapsed), calls + n, total + elapsed
    return best, calls / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timing window per row")
    parser.add_argument("--accelerators", nargs="*", default=None, help="presets (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    accelerators = args.accelerators or sorted(presets())
    TEMPLATES.names()
    print(f"{'network':<16} {'accelerator':<15} {'layers':>6} {'extract s':>9} {'evals/s':>9} {'mean/s':>8} "
          f"{'ms/eval':>8} {'vs target':>9}")
    for name in NETWORKS:
        model = timm.create_model(name, pretrained=False)
        start = time.perf_counter()
        workload = extract_workload(model, (3, 224, 224), name=name)
        extract_s = time.perf_counter() - start
        for acc in accelerators:
            hw = load_accelerator(acc)
            model_ = cost_model_for(hw)
            per_s, mean = rate(lambda m=model_, w=workload, h=hw: m.evaluate(w, h).energy_j, args.seconds)
            print(f"{name:<16} {acc:<15} {len(workload.layers):>6} {extract_s:>9.2f} {per_s:>9.0f} {mean:>8.0f} "
                  f"{1e3 / per_s:>8.3f} {per_s / TARGET_PER_S:>8.2f}x")


if __name__ == "__main__":
    main()
