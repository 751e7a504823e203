"""What co-design buys on ``experiments/split_5g.yaml``: the joint network x NPU x split front
against the best device-only design and the best full-offload design, at equal proxy score.

    python benchmarks/split_codesign.py [--trials 120] [--out runs/split_codesign]

Runs the experiment three times with the same seed and budget: as written (the cut searched), with
``split.mode: device_only`` (every layer on the device) and with ``split.mode: full_offload`` (the
input sent to the MEC server). For each proxy level (the proxy scores of the joint front, and the
quartiles of all feasible scores), it takes in each run the lowest end-to-end latency and the lowest
device energy among feasible designs scoring at least that level, and prints baseline / joint.
A ratio above 1 means the joint search found a better design than the baseline at that accuracy
proxy; the designs need not be the same network.
"""
from __future__ import annotations

import argparse
import copy
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import yaml  # noqa: E402

EXPERIMENT = Path(__file__).resolve().parents[1] / "experiments" / "split_5g.yaml"
MODES = {"joint": None, "device_only": "device_only", "full_offload": "full_offload"}


def _run(config: dict, mode: str | None, out: Path, trials: int) -> list[tuple[float, float, float]]:
    """(proxy, e2e latency s, device energy J) of each feasible trial of one run."""
    from codesign import api
    from codesign.storage.run_dir import RunDir

    cfg = copy.deepcopy(config)
    cfg["budget"] = {"trials": trials}
    if mode is not None:
        cfg["split"]["mode"] = mode
        cfg["split"].pop("candidates", None)
        cfg["name"] = f"{cfg['name']}_{mode}"
    summary = api.run(cfg, out=out, quiet=True)
    rows = []
    for record in RunDir.open(summary.run_dir).trials():
        if record.state != "COMPLETE" or not record.feasible:
            continue
        m = record.metrics
        if None in (m.get("proxy"), m.get("e2e_latency_s"), m.get("device_energy_j")):
            continue
        rows.append((float(m["proxy"]), float(m["e2e_latency_s"]), float(m["device_energy_j"])))
    return rows


def _best_at(rows: list[tuple[float, float, float]], level: float, column: int) -> float:
    values = [r[column] for r in rows if r[0] >= level]
    return min(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=120)
    parser.add_argument("--out", default="runs/split_codesign")
    args = parser.parse_args()
    config = yaml.safe_load(EXPERIMENT.read_text())
    results = {}
    for label, mode in MODES.items():
        out = Path(args.out) / label
        results[label] = _run(config, mode, out, args.trials)
        print(f"{label}: {len(results[label])} feasible trials of {args.trials} ({out})")
    joint = results["joint"]
    proxies = sorted({r[0] for r in joint})
    levels = sorted(set(np.quantile([r[0] for r in joint], [0.25, 0.5, 0.75, 0.9]).tolist()))
    print(f"\n{'proxy >=':>9} {'joint ms':>9} {'dev-only/joint':>15} {'offload/joint':>14} "
          f"{'joint mJ':>9} {'dev-only/joint':>15} {'offload/joint':>14}")
    ratios: dict[str, list[float]] = {k: [] for k in ("lat_dev", "lat_off", "en_dev", "en_off")}
    for level in levels:
        jl, je = _best_at(joint, level, 1), _best_at(joint, level, 2)
        dl, de = _best_at(results["device_only"], level, 1), _best_at(results["device_only"], level, 2)
        ol, oe = _best_at(results["full_offload"], level, 1), _best_at(results["full_offload"], level, 2)
        for key, value in (("lat_dev", dl / jl), ("lat_off", ol / jl), ("en_dev", de / je), ("en_off", oe / je)):
            if np.isfinite(value):
                ratios[key].append(value)
        print(f"{level:9.4g} {jl * 1e3:9.4g} {dl / jl:15.3g} {ol / jl:14.3g} {je * 1e3:9.4g} {de / je:15.3g} {oe / je:14.3g}")
    print(f"\nmedian over the proxy levels: latency device-only/joint {np.median(ratios['lat_dev']):.3g}, "
          f"full-offload/joint {np.median(ratios['lat_off']):.3g}; device energy device-only/joint "
          f"{np.median(ratios['en_dev']):.3g}, full-offload/joint {np.median(ratios['en_off']):.3g}")
    cuts = [r for r in joint]
    print(f"joint designs: {len(cuts)} feasible; proxy levels {len(proxies)} distinct")


if __name__ == "__main__":
    main()
