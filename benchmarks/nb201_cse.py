"""What the workload's common-subexpression elimination (``codesign/workload/cse_fx.py``) does to
NAS-Bench-201 networks on one accelerator: per random architecture, the layers it removes and the
latency with and without it (the pass switched off for the second, BatchNorm folding and activation
fusion kept in both), then their Spearman rank correlation and each one's with the MACs.

    python benchmarks/nb201_cse.py [--archs 150] [--seed 1] [--accelerator edge_tpu]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import optuna
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codesign.costmodel.base import cost_model_for  # noqa: E402
from codesign.hardware.presets import load_accelerator  # noqa: E402
from codesign.spaces import create_space  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--accelerator", default="edge_tpu")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = create_space("nb201", {})
    hw = load_accelerator(args.accelerator)
    model = cost_model_for(hw, None, "edp")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=args.seed))
    rows = []
    for _ in range(args.archs):
        arch = space.sample(study.ask())
        net = space.build(arch)
        merged = space.workload(arch, model=net)
        with mock.patch("codesign.workload.extract.merge_common_fx_nodes", return_value=0):
            plain = space.workload(arch, model=net)
        rows.append((len(plain.layers) - len(merged.layers), model.evaluate(merged, hw).latency_s,
                     model.evaluate(plain, hw).latency_s, merged.macs))
    removed, with_cse, without, macs = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    change = 100 * (with_cse / without - 1)
    print(f"{args.archs} random NAS-Bench-201 architectures (seed {args.seed}), {args.accelerator}")
    print(f"  layers removed       mean {removed.mean():.1f}, range {removed.min():.0f} .. {removed.max():.0f}")
    print(f"  latency change       median {np.median(change):+.1f} %, range {change.min():+.1f} .. {change.max():+.1f} %")
    print(f"  Spearman, with vs without the pass: {spearmanr(with_cse, without)[0]:.3f}")
    print(f"  Spearman against MACs: with {spearmanr(with_cse, macs)[0]:.3f}, without {spearmanr(without, macs)[0]:.3f}")


if __name__ == "__main__":
    main()
