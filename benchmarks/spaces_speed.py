"""Build + trace time per architecture for every search space: what a search pays for each new
architecture before proxies and the cost model (both cached by architecture key).

For each configuration below, N architectures are drawn with a seeded random sampler; each is
built (seeded weights) and traced to a workload (torch.fx). Prints medians per architecture, the
mean MACs and layer count, and the one-off set-up (creating the space, first build: imports).

    python benchmarks/spaces_speed.py [--archs 10] [--only mbconv,nb201] [--threads 1] [--nb201-freeze]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import optuna
import torch

from codesign.spaces import create_space

ROOT = Path(__file__).resolve().parents[1]

#: (label, space, options): every registered space, at the options experiments use.
CONFIGS: list[tuple[str, str, dict[str, Any]]] = [
    ("mbconv quickstart (96px, 10 cls)", "mbconv", {"resolution": 96, "num_classes": 10}),
    ("mbconv default (224px)", "mbconv", {}),
    ("nb201 (CIFAR 32px)", "nb201", {}),
    ("resnet default (224px)", "resnet", {}),
    ("resnet 32px, 10 cls", "resnet", {"resolution": 32, "num_classes": 10}),
    ("vit default (224px)", "vit", {}),
    ("vit 32px (patch 4/8)", "vit", {"resolution": 32, "num_classes": 10, "patch_sizes": [4, 8]}),
    ("nni user space (TinyCNN, 32px)", "nni", {
        "model_space": f"{ROOT / 'experiments' / 'nni_user_space.py'}:TinyCNNSpace",
        "init_args": {"num_classes": 10}, "num_classes": 10, "resolution": 32}),
]


def measure(space_name: str, options: dict[str, Any], archs: int, seed: int) -> dict[str, float]:
    start = time.perf_counter()
    space = create_space(space_name, options)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    first = space.sample(study.ask())
    space.workload(first)  # first build and trace pay the imports
    setup = time.perf_counter() - start
    build, trace, macs, layers = [], [], [], []
    for _ in range(archs):
        arch = space.sample(study.ask())
        t0 = time.perf_counter()
        model = space.build(arch)
        t1 = time.perf_counter()
        workload = space.workload(arch, model=model)
        t2 = time.perf_counter()
        build.append(t1 - t0)
        trace.append(t2 - t1)
        macs.append(workload.macs)
        layers.append(len(workload.layers))
    return {"setup_s": setup, "build_ms": 1e3 * statistics.median(build), "trace_ms": 1e3 * statistics.median(trace),
            "total_ms": 1e3 * statistics.median(b + t for b, t in zip(build, trace, strict=True)),
            "mmacs": statistics.mean(macs) / 1e6, "layers": statistics.mean(layers)}


def nb201_freeze_vs_context(repeats: int = 5) -> None:
    """Why the NNI spaces build inside ``model_context``: NNI's ``space.freeze(sample)``
    deep-copies the whole supernet, re-running the constructor builds only the chosen ops."""
    from search_spaces._nni import build_frozen, nni_nas

    hub = nni_nas().hub.pytorch
    sample = {"cell/0_1": "conv_3x3", "cell/0_2": "none", "cell/1_2": "skip_connect",
              "cell/0_3": "avg_pool_3x3", "cell/1_3": "conv_1x1", "cell/2_3": "conv_3x3"}
    supernet = hub.NasBench201()
    ways = {"space.freeze(sample)": lambda: supernet.freeze(sample),
            "model_context + constructor": lambda: build_frozen(hub.NasBench201, sample)}
    for name, build in ways.items():
        build()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            build()
            times.append(time.perf_counter() - start)
        print(f"nb201 {name:28s} median {1e3 * statistics.median(times):.0f} ms over {repeats}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=10, help="architectures per configuration")
    parser.add_argument("--only", help="comma-separated space names")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nb201-freeze", action="store_true", help="also time NNI's freeze against model_context")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if args.threads:
        torch.set_num_threads(args.threads)
    only = set(args.only.split(",")) if args.only else None
    print(f"{args.archs} architectures per configuration, torch threads {torch.get_num_threads()}; "
          "medians per architecture")
    print(f"{'configuration':34s} {'build ms':>9s} {'trace ms':>9s} {'total ms':>9s} {'MMACs':>9s} {'layers':>7s} "
          f"{'set-up s':>9s}")
    for label, name, options in CONFIGS:
        if only and name not in only:
            continue
        r = measure(name, options, args.archs, args.seed)
        print(f"{label:34s} {r['build_ms']:9.0f} {r['trace_ms']:9.0f} {r['total_ms']:9.0f} {r['mmacs']:9.1f} "
              f"{r['layers']:7.0f} {r['setup_s']:9.2f}", flush=True)
    if args.nb201_freeze:
        nb201_freeze_vs_context()


if __name__ == "__main__":
    main()
