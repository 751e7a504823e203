"""Search quality on a joint space small enough to enumerate: the hypervolume each strategy
reaches after N trials, as a fraction of the exhaustive front's, against random search at the same
budget, over several seeds.

    python benchmarks/search_quality.py [--trials 50,100,300] [--seeds 5] [--strategies nsga2,tpe,...]
                                        [--options 'nested={"inner_trials": 8}']

The space is ``benchmarks/data/nb201_systolic.npz`` (``benchmarks/nb201_table.py``): the 725
NAS-Bench-201 architectures with published CIFAR-10 accuracies x 192 systolic arrays (rows, cols,
dataflow, ifmap and filter SRAM), 139,200 pairs scored in advance by our cost model. Objectives:
CIFAR-10 validation accuracy (maximise; standing in for a perfect proxy), latency and energy
(minimise); budget: area <= 0.25 mm2; a pair whose SRAMs cannot hold a tile does not map. Each
run is the real search loop (``run_search``, in-process, journal storage) with the ``table``
space and evaluator, so every strategy faces exactly what it would in a search.

Hypervolume is measured in one box for all runs: each objective normalised from the exhaustive
front's ideal point (0) to its nadir (1), reference point at 1.1, so that only designs near the
front count (the bulk of the space, far behind it, adds nothing); the "HV fraction" of a run
after N trials is the hypervolume of its feasible trials among the first N over the exhaustive
front's. One run per strategy and seed gives every N (the strategies do not know the budget).

``--unit architectures`` counts the budget in distinct architectures evaluated instead of trials:
what a real search pays for, since the architecture work (build, trace, proxy) dominates a trial
and is cached (a nested search's inner trials reuse it).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from codesign.config.schema import parse_config
from codesign.pareto import hypervolume
from codesign.report.front import FrontTracker
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.search.metrics import parse_constraint, parse_objectives
from codesign.search.score_table import load_table
from codesign.storage.run_dir import RunDir

HERE = Path(__file__).resolve().parent
TABLE = HERE / "data" / "nb201_systolic.npz"
ACCURACY = "val_accuracy_200ep"
OBJECTIVES = {"proxy": "maximize", "latency": "minimize", "energy": "minimize"}
AREA_BUDGET = "<= 0.25 mm2"
#: The strategies as a user would configure them (NSGA-II's population as in the quickstart).
STRATEGIES: dict[str, dict[str, Any]] = {
    "random": {}, "nsga2": {"population_size": 24}, "tpe": {}, "qmc": {}, "grid": {}, "nested": {},
}


def experiment_config(strategy: str, seed: int, trials: int) -> dict[str, Any]:
    table = load_table(TABLE)
    meta = table.meta
    grid = {name: list(dict.fromkeys(row[i] for row in meta["hw_grid"])) for i, name in enumerate(meta["hw_params"])}
    return {
        "name": f"quality-{strategy}", "seed": seed,
        "space": {"name": "table", "options": {"table": str(TABLE)}},
        "accelerator": {"template": "systolic", "params": meta["hw_fixed"], "search": grid},
        "evaluator": {"name": "table", "options": {"table": str(TABLE), "proxy": ACCURACY}},
        "objectives": OBJECTIVES, "constraints": {"area": AREA_BUDGET},
        "strategy": {"name": strategy, "options": STRATEGIES[strategy]},
        "budget": {"trials": trials}, "executor": {"name": "inline"},
    }


def exhaustive() -> tuple[np.ndarray, np.ndarray, float, dict[str, int]]:
    """(ideal, nadir - ideal) of the exhaustive front's losses, its hypervolume, and counts."""
    table = load_table(TABLE)
    objectives = parse_objectives(OBJECTIVES)
    bound = parse_constraint("area", AREA_BUDGET, "area").bound_si
    pair = {name: table.pair_values[..., i].astype(float) for i, name in enumerate(table.pair_metrics)}
    accuracy = table.arch_values[:, table.arch_metrics.index(ACCURACY)][:, None] * np.ones_like(pair["latency_s"])
    feasible = (pair["unmapped_fraction"] == 0) & (pair["area_mm2"] <= bound)
    values = np.stack([accuracy[feasible], pair["latency_s"][feasible], pair["energy_j"][feasible]], axis=1)
    losses = values * np.array([o.sign for o in objectives])
    lo, hi = losses.min(axis=0), losses.max(axis=0)
    tracker = FrontTracker(objectives)
    for i in np.argsort(((losses - lo) / np.where(hi > lo, hi - lo, 1.0)).sum(axis=1)):  # dominators first
        tracker.add(values[i])
    front = tracker._front  # noqa: SLF001 - the tracker's losses
    # The box: from the front's ideal point to its nadir (points beyond the reference add nothing),
    # so the measure looks at the region where the fronts differ, not at the easy bulk.
    lo, nadir = front.min(axis=0), front.max(axis=0)
    span = np.where(nadir > lo, nadir - lo, 1.0)
    front = (front - lo) / span
    counts = {"pairs": int(feasible.size), "feasible": int(feasible.sum()),
              "unmappable": int((pair["unmapped_fraction"] > 0).sum()), "front": tracker.size}
    return lo, span, hypervolume(front, np.full(3, 1.1)), counts


def arch_key(record: Any) -> str:
    """The architecture a trial evaluated (its ``arch`` part's key)."""
    key = record.result.get("parts", {}).get("arch", {}).get("key")
    if key is None:
        raise KeyError(f"trial {record.number} has no parts.arch.key in its result")
    return key


def prefix_lengths(records: list[Any], checkpoints: list[int], unit: str) -> list[int]:
    """How many of the first trials a budget of N allows: N trials, or (``architectures``) the
    trials before the (N+1)-th distinct architecture, since in a real search the architecture work
    (build, trace, proxy) dominates and is cached (the quickstart: 98 % of its time)."""
    if unit == "trials":
        return checkpoints
    firsts, seen = [], set()
    for i, r in enumerate(records):
        key = arch_key(r)
        if key not in seen:
            seen.add(key)
            firsts.append(i)
    return [firsts[n] if n < len(firsts) else len(records) for n in checkpoints]


def run_records(name: str, seed: int, checkpoints: list[int], unit: str) -> list[Any]:
    """One search's trials, oldest first; for ``architectures``, extended until it has evaluated
    one architecture more than the largest checkpoint (or 20 times that many trials)."""
    budget = checkpoints[-1]
    config = parse_config(experiment_config(name, seed, budget))
    with tempfile.TemporaryDirectory() as tmp:
        run = RunDir.create(Path(tmp) / "run", config)
        while True:
            experiment = Experiment.from_config(parse_config(experiment_config(name, seed, budget)))
            run_search(experiment, run, quiet=True)
            records = sorted((r for r in run.trials() if not r.requeued), key=lambda r: r.number)
            distinct = len({arch_key(r) for r in records})
            if unit == "trials" or distinct > checkpoints[-1] or budget >= 20 * checkpoints[-1]:
                return records
            budget += 2 * (checkpoints[-1] + 1 - distinct)


def hv_fractions(records: list[Any], checkpoints: list[int], unit: str, lo: np.ndarray, span: np.ndarray,
                 hv_all: float) -> list[float]:
    signs = np.array([o.sign for o in parse_objectives(OBJECTIVES)])
    out = []
    for n in prefix_lengths(records, checkpoints, unit):
        feasible = [r.values for r in records[:n] if r.feasible]
        if not feasible:
            out.append(0.0)
            continue
        normed = (np.array(feasible) * signs - lo) / span
        out.append(hypervolume(normed, np.full(3, 1.1)) / hv_all)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", default="50,100,300", help="checkpoints N (comma-separated)")
    parser.add_argument("--unit", choices=("trials", "architectures"), default="trials",
                        help="what N counts: trials, or distinct architectures evaluated")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--options", action="append", default=[], metavar="NAME=JSON",
                        help="strategy options replacing the defaults above (repeatable)")
    args = parser.parse_args()
    for item in args.options:
        name, _, options = item.partition("=")
        STRATEGIES[name] = json.loads(options)
    checkpoints = sorted(int(n) for n in args.trials.split(","))
    names = args.strategies.split(",")
    lo, span, hv_all, counts = exhaustive()
    print(f"space: {counts['pairs']:,} pairs, {counts['unmappable']:,} unmappable, {counts['feasible']:,} feasible "
          f"under area {AREA_BUDGET}; exhaustive front {counts['front']} points")
    results: dict[str, list[list[float]]] = {}
    seconds: dict[str, float] = {}
    for name in names:
        results[name], start = [], time.perf_counter()
        for seed in range(args.seeds):
            records = run_records(name, seed, checkpoints, args.unit)
            results[name].append(hv_fractions(records, checkpoints, args.unit, lo, span, hv_all))
        seconds[name] = (time.perf_counter() - start) / args.seeds
    print(f"HV fraction of the exhaustive front after N {args.unit} (mean +- sd over {args.seeds} seeds); "
          f"x random: ratio of means; wins: seeds where the strategy beats random with the same seed")
    header = f"{'strategy':<8}" + "".join(f" | N={n:<5} {'':>14}" for n in checkpoints) + " | s/run"
    print(header)
    for name in names:
        cells = []
        for j in range(len(checkpoints)):
            ours = [run[j] for run in results[name]]
            base = [run[j] for run in results.get("random", results[name])]
            ratio = statistics.mean(ours) / statistics.mean(base) if statistics.mean(base) else float("nan")
            wins = sum(a > b for a, b in zip(ours, base, strict=True))
            sd = statistics.stdev(ours) if len(ours) > 1 else 0.0
            cells.append(f" | {statistics.mean(ours):.3f}+-{sd:.3f} x{ratio:.2f} {wins}/{len(ours)}")
        print(f"{name:<8}" + "".join(cells) + f" | {seconds[name]:.1f}")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
