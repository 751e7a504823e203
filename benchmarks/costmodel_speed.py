"""Cost-model speed: full-network evaluations per second (mapping search included) on one core.

Workload extraction (torch.fx tracing) is timed separately: a search caches it per architecture.

    python benchmarks/costmodel_speed.py [--seconds 3] [--accelerators eyeriss tpu_v1]

Prints one row per (network, accelerator): layers, extraction time, evaluations per second, the
time per layer within a network evaluation ("us/layer"), the rate of evaluating the network's first
MAC layer on its own ("1-layer/s": the fixed cost per evaluation, where per-hardware caching of
prices shows), and the ratio to the 1,000 evaluations/s target of issue 3. The accelerators of a network are timed in
interleaved batches of a few evaluations each; "evals/s" is the best batch (other processes on a
shared machine only ever slow a batch down), "mean/s" the average over all batches, and "vs
systolic" the speed relative to the first systolic preset in the same run, which holds up when the
machine is busy.
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
from codesign.workload import Workload  # noqa: E402
from codesign.workload.extract import extract_workload  # noqa: E402

NETWORKS = ("mobilenetv2_100", "resnet50")
TARGET_PER_S = 1000.0


def rates(fns: dict[str, object], seconds: float, batch: int = 3) -> dict[str, tuple[float, float]]:
    """Per name: (best batch rate, mean rate) of calls per second, batches interleaved."""
    best = {name: 0.0 for name in fns}
    calls = {name: 0 for name in fns}
    spent = {name: 0.0 for name in fns}
    for fn in fns.values():
        fn()  # warm up
    deadline = time.perf_counter() + seconds * len(fns)
    while time.perf_counter() < deadline:
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(batch):
                fn()
            elapsed = time.perf_counter() - start
            best[name] = max(best[name], batch / elapsed)
            calls[name] += batch
            spent[name] += elapsed
    return {name: (best[name], calls[name] / spent[name]) for name in fns}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timing time per accelerator and network")
    parser.add_argument("--accelerators", nargs="*", default=None, help="presets (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    accelerators = args.accelerators or sorted(presets())
    TEMPLATES.names()
    reference = next((a for a in accelerators if presets()[a].template == "systolic"), accelerators[0])
    print(f"{'network':<16} {'accelerator':<15} {'layers':>6} {'extract s':>9} {'evals/s':>9} {'mean/s':>8} "
          f"{'ms/eval':>8} {'us/layer':>8} {'1-layer/s':>9} {'vs target':>9} {'vs ' + reference:>13}")
    for name in NETWORKS:
        model = timm.create_model(name, pretrained=False)
        start = time.perf_counter()
        workload = extract_workload(model, (3, 224, 224), name=name)
        extract_s = time.perf_counter() - start
        one = Workload(name + "_layer0", (next(layer for layer in workload.layers if layer.is_mac),))
        fns, single = {}, {}
        for acc in accelerators:
            hw = load_accelerator(acc)
            cost_model = cost_model_for(hw)
            fns[acc] = lambda m=cost_model, w=workload, h=hw: m.evaluate(w, h).energy_j
            single[acc] = lambda m=cost_model, w=one, h=hw: m.evaluate(w, h).energy_j
        measured = rates(fns, args.seconds)
        measured_one = rates(single, args.seconds / 3)
        n = len(workload.layers)
        for acc in accelerators:
            per_s, mean = measured[acc]
            print(f"{name:<16} {acc:<15} {n:>6} {extract_s:>9.2f} {per_s:>9.0f} {mean:>8.0f} "
                  f"{1e3 / per_s:>8.3f} {1e6 / (per_s * n):>8.2f} {measured_one[acc][0]:>9.0f} "
                  f"{per_s / TARGET_PER_S:>8.2f}x {per_s / measured[reference][0]:>12.2f}x")


if __name__ == "__main__":
    main()
