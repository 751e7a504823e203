"""Where the architecture work of a new quickstart architecture goes (MBConv, 96x96, 10 classes;
the default rank combination at batch 16): CPU seconds per architecture of the build, the
workload extraction, synflow and the training pass that NASWOT and jacob_cov share, done as the
pipeline does them (one build, the proxies lent that model). Runs on any checkout of the project,
so that two can be compared in the same conditions (alternate them: the machine's load is noise).

    OMP_NUM_THREADS=1 python benchmarks/arch_work_parts.py [--archs 10] [--threads 1]
"""
from __future__ import annotations

import argparse
import copy
import time
from collections.abc import Callable
from typing import Any

import optuna
import torch

from codesign.proxies.base import ProxyContext, create_proxy
from codesign.proxies.data import proxy_batch
from codesign.spaces.base import create_space

QUICKSTART = {"resolution": 96, "num_classes": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = create_space("mbconv", QUICKSTART)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    archs = [space.sample(study.ask()) for _ in range(args.archs)]
    combo = create_proxy("combo", {})
    cpu: dict[str, float] = {}

    def timed(part: str, work: Callable[[], Any]) -> Any:
        start = time.process_time()
        result = work()
        cpu[part] = cpu.get(part, 0.0) + time.process_time() - start
        return result

    # Older checkouts copy the model for each proxy; newer ones lend it (ProxyContext.built).
    lends = "built" in ProxyContext.__dataclass_fields__
    wall = time.perf_counter()
    for arch in archs:
        model = timed("build", lambda a=arch: space.build(a, seed=0))
        timed("extract", lambda a=arch, m=model: space.workload(a, batch=1, model=m))
        model.train()
        batch = proxy_batch("synthetic", space.input_shape(arch), 16, QUICKSTART["num_classes"], 0, None)
        ctx = ProxyContext(model_factory=lambda m=model: copy.deepcopy(m), batch=batch,
                           **({"built": model} if lends else {}))
        combo._share_pass(ctx)
        timed("synflow", lambda c=ctx: combo.proxies["synflow"].compute(c))
        timed("naswot+jacob_cov pass", lambda c=ctx: (combo.proxies["naswot"].compute(c),
                                                       combo.proxies["jacob_cov"].compute(c)))
    wall = time.perf_counter() - wall
    n = len(archs)
    for part, seconds in cpu.items():
        print(f"{part:22s} {seconds / n:.3f} CPU s/arch")
    print(f"{'total':22s} {sum(cpu.values()) / n:.3f} CPU s/arch ({wall / n:.3f} wall s/arch, "
          f"{args.threads} torch thread(s), {n} archs)")


if __name__ == "__main__":
    main()
