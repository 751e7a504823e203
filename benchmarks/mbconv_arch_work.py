"""Architecture work per new MBConv architecture at the quickstart's options (96x96, 10 classes):
build + trace + the default proxy (the rank combination of synflow, NASWOT and jacob_cov at batch 16;
its reference sample is scored before the timing), the part of a quickstart trial that depends on
the space. Compares
the foundation's default stages (depth, kernel, expansion {3,4,6}; fixed widths, no SE, ReLU) with
the current default (expansion {1,3,4,6}, width, SE and activation searched), interleaved so that
machine noise hits both alike; prints CPU seconds per architecture and their ratio.

    python benchmarks/mbconv_arch_work.py [--archs 30]
"""
from __future__ import annotations

import argparse
import time

import optuna

from codesign.search.candidate import Candidate
from codesign.search.design import model_pipeline

QUICKSTART = {"resolution": 96, "num_classes": 10}
#: Seed of the architectures timed (the reference sample uses the pipeline's seed, 0).
SAMPLE_SEED = 1
#: The foundation's default stages (OFA MobileNetV3 channels and strides), as explicit options.
FOUNDATION_STAGES = [{"channels": c, "stride": s, "depths": [2, 3, 4], "kernels": [3, 5, 7], "expansions": [3, 4, 6]}
                     for c, s in ((24, 2), (40, 2), (80, 2), (112, 1), (160, 2))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=30)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    evaluators = {
        "foundation default": model_pipeline("mbconv", space_options={**QUICKSTART, "stages": FOUNDATION_STAGES},
                                             proxy="combo", cost=False),
        "current default": model_pipeline("mbconv", space_options=QUICKSTART, proxy="combo", cost=False),
    }
    for evaluator in evaluators.values():
        evaluator.stage("proxy").ensure_reference()  # start-up work, not per architecture
    # Not seed 0: that draws the proxy's reference sample, whose architectures are answered from
    # the scores the preparation already has (docs/search.md, "Seeded first trials").
    studies = {k: optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=SAMPLE_SEED)) for k in evaluators}
    cpu = {k: 0.0 for k in evaluators}
    wall = {k: 0.0 for k in evaluators}
    macs = {k: 0.0 for k in evaluators}
    for _ in range(args.archs):
        for name, evaluator in evaluators.items():
            arch = evaluator.subspaces["arch"].space.sample(studies[name].ask())
            c0, w0 = time.process_time(), time.perf_counter()
            outcome = evaluator.evaluate(Candidate({"arch": arch}))
            cpu[name] += time.process_time() - c0
            wall[name] += time.perf_counter() - w0
            macs[name] += outcome.artefacts["workload"].macs
    n = args.archs
    for name in evaluators:
        print(f"{name:18s} {n} archs: {cpu[name] / n:.3f} CPU s/arch, {wall[name] / n:.3f} wall s/arch, "
              f"mean {macs[name] / n / 1e6:.1f} MMACs")
    print(f"ratio current / foundation: {cpu['current default'] / cpu['foundation default']:.2f} (CPU time)")


if __name__ == "__main__":
    main()
