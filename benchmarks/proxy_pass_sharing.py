"""CPU seconds per architecture of NASWOT + jacob_cov scored separately (two training-mode
passes, two model copies) and on one shared pass (what a rank combination does), on the same
quickstart architectures (MBConv 96x96, 10 classes, batch 16), interleaved so machine noise hits
both alike; also checks that the scores are identical.

    python benchmarks/proxy_pass_sharing.py [--archs 4]
"""
from __future__ import annotations

import argparse
import time

import optuna

from codesign.proxies.base import PROXIES
from codesign.search.design import model_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=4)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pipeline = model_pipeline("mbconv", space_options={"resolution": 96, "num_classes": 10}, proxy="naswot", cost=False)
    stage = pipeline.stages[-1]
    space = pipeline.subspaces["arch"].space
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    naswot, jacob = PROXIES.create("naswot"), PROXIES.create("jacob_cov")
    cpu = {"separate": 0.0, "shared": 0.0}
    for _ in range(args.archs):
        arch = space.sample(study.ask())
        model = space.build(arch, seed=0)
        separate = [stage.context(arch, model), stage.context(arch, model)]
        c0 = time.process_time()
        a = (naswot.compute(separate[0]), jacob.compute(separate[1]))
        cpu["separate"] += time.process_time() - c0
        shared = stage.context(arch, model)
        shared.extras["train_pass_needs"] = naswot.train_pass_needs | jacob.train_pass_needs
        c0 = time.process_time()
        b = (naswot.compute(shared), jacob.compute(shared))
        cpu["shared"] += time.process_time() - c0
        assert a == b, (a, b)
    n = args.archs
    print(f"naswot + jacob_cov, {n} archs: separate {cpu['separate'] / n:.3f} CPU s/arch, "
          f"shared pass {cpu['shared'] / n:.3f} CPU s/arch (ratio {cpu['shared'] / cpu['separate']:.2f}); "
          "scores identical")


if __name__ == "__main__":
    main()
