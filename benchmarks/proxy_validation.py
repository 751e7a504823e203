"""Zero-cost proxies on NAS-Bench-201: rank correlation with trained accuracy, agreement with
NASLib's precomputed scores, and seconds per architecture per proxy on one core.

    python benchmarks/proxy_validation.py [--workers 2] [--data synthetic] [--batch-size 64] [--limit N]

For the 725 architectures of benchmarks/data/nb201_naslib_zc_725archs.csv (NASLib's zero-cost
data), every proxy is computed on our NAS-Bench-201 network (search_spaces/nb201.py, CIFAR-10
head, 32x32 inputs, weights and batch from seed 0) and correlated (Spearman, Kendall) with the
200-epoch validation accuracy on CIFAR-10, CIFAR-100 and ImageNet16-120; NASLib's own score of
the same proxy is correlated the same way, and its rank agreement with ours is reported. Scores are
cached in benchmarks/results/ (one row per architecture, appended as they finish), so an interrupted
run continues where it stopped and the table can be re-printed without recomputing.

The default `combo` proxy is scored exactly as a search scores it: each component's percentile
against a seeded 32-architecture reference sample of the space, averaged. The rank average of the
same components over the 725 architectures is shown beside it.
"""
from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "data" / "nb201_naslib_zc_725archs.csv"
RESULTS = ROOT / "benchmarks" / "results"
PROXIES = ("synflow", "naswot", "jacob_cov", "snip", "grad_norm", "fisher", "zico", "params", "flops")
#: Our proxy name → NASLib's column for the same proxy.
NASLIB_NAME = {"synflow": "synflow", "naswot": "nwot", "jacob_cov": "jacov", "snip": "snip",
               "grad_norm": "grad_norm", "fisher": "fisher", "params": "params", "flops": "flops"}
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
COMBO = ("synflow", "naswot", "jacob_cov")

_worker: dict = {}


def _init(data: str, batch_size: int, names: tuple[str, ...]) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)
    from codesign.search.design import model_pipeline

    _worker["stages"] = {name: model_pipeline("nb201", proxy=name, proxy_batch_size=batch_size, proxy_data=data,
                                              cost=False).stage("proxy") for name in names}


def _score(key: str) -> dict:
    row: dict = {"arch_str": key}
    for name, stage in _worker["stages"].items():
        arch = stage.space.parse(key)
        score = stage.score(arch)
        row[name] = score.value if score.ok else ""
        row[f"{name}_s"] = round(score.seconds, 5)
    return row


def load_reference() -> tuple[list[str], dict[str, dict[str, dict[str, float]]]]:
    """Architecture keys and, per dataset, per key: accuracy and NASLib's scores."""
    table: dict[str, dict[str, dict[str, float]]] = {d: {} for d in DATASETS}
    keys: list[str] = []
    with DATA.open() as fh:
        for row in csv.DictReader(fh):
            table[row["dataset"]][row["arch_str"]] = {k: float(v) if v not in ("", "nan") else np.nan
                                                      for k, v in row.items() if k not in ("dataset", "arch_str",
                                                                                             "naslib_op_indices")}
            if row["dataset"] == "cifar10":
                keys.append(row["arch_str"])
    return keys, table


def compute_scores(keys: list[str], cache: Path, workers: int, data: str, batch_size: int,
                   names: tuple[str, ...]) -> dict[str, dict]:
    done: dict[str, dict] = {}
    if cache.exists():
        with cache.open() as fh:
            done = {row["arch_str"]: row for row in csv.DictReader(fh)}
    todo = [k for k in keys if k not in done]
    if todo:
        print(f"scoring {len(todo)} architectures with {workers} worker(s) -> {cache}", file=sys.stderr)
        fields = ["arch_str"] + [c for name in names for c in (name, f"{name}_s")]
        new_file = not cache.exists() or cache.stat().st_size == 0
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("a", newline="") as fh, mp.get_context("spawn").Pool(workers, _init, (data, batch_size, names)) as pool:
            writer = csv.DictWriter(fh, fieldnames=fields)
            if new_file:
                writer.writeheader()
            start = time.time()
            for i, row in enumerate(pool.imap_unordered(_score, todo), start=1):
                writer.writerow(row)
                fh.flush()
                done[row["arch_str"]] = row
                if i % 25 == 0:
                    print(f"  {i}/{len(todo)} in {time.time() - start:.0f} s", file=sys.stderr)
    return done


def combo_scores(keys: list[str], scores: dict[str, dict], data: str, batch_size: int) -> dict[str, float]:
    """The shipped `combo` proxy: percentiles against the seeded reference sample, averaged."""
    from codesign.proxies.combination import percentile
    from codesign.search.design import model_pipeline

    stage = model_pipeline("nb201", proxy="combo", proxy_batch_size=batch_size, proxy_data=data, cost=False).stage("proxy")
    reference = stage.prepare().options["reference"]
    out = {}
    for key in keys:
        parts = [scores[key][name] for name in COMBO]
        if any(p in ("", None) for p in parts):
            continue
        out[key] = float(np.mean([percentile(float(p), reference[name]) for p, name in zip(parts, COMBO, strict=True)]))
    return out


def correlate(x: list[float], y: list[float]) -> tuple[float, float, int]:
    from scipy.stats import kendalltau, spearmanr

    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(xa) & np.isfinite(ya)
    if ok.sum() < 3:
        return np.nan, np.nan, int(ok.sum())
    return float(spearmanr(xa[ok], ya[ok]).statistic), float(kendalltau(xa[ok], ya[ok]).statistic), int(ok.sum())


def main() -> None:
    from codesign.proxies.data import SOURCES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", default="synthetic", choices=[s for s in SOURCES if s != "folder"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None, help="only the first N architectures")
    parser.add_argument("--proxies", nargs="*", default=list(PROXIES), choices=PROXIES,
                        help="a subset to compute (cached in a file of its own)")
    args = parser.parse_args()
    names = tuple(args.proxies)
    keys, table = load_reference()
    keys = keys[: args.limit] if args.limit else keys
    suffix = "" if set(names) == set(PROXIES) else "_" + "-".join(names)
    cache = RESULTS / f"nb201_proxies_{args.data}_b{args.batch_size}{suffix}.csv"
    scores = compute_scores(keys, cache, args.workers, args.data, args.batch_size, names)
    ours = {name: {k: float(scores[k][name]) if scores[k][name] not in ("", None) else np.nan for k in keys}
            for name in names}
    if set(COMBO) <= set(names):
        from scipy.stats import rankdata

        ours["combo"] = dict(combo_scores(keys, scores, args.data, args.batch_size))
        rank_sum = sum(rankdata([ours[n].get(k, np.nan) for k in keys], nan_policy="omit") for n in COMBO)
        ours["rank average over the set"] = dict(zip(keys, rank_sum, strict=True))

    header = ["proxy"] + [f"{d} {m}" for d in DATASETS for m in ("Spearman", "Kendall")] + [
        "NASLib cifar10 Spearman", "agreement with NASLib", "s/arch (1 core)"]
    print(f"NAS-Bench-201, {len(keys)} architectures, data={args.data}, batch={args.batch_size}, seed 0\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, values in ours.items():
        cells = [name]
        for d in DATASETS:
            common = [k for k in keys if k in table[d]]
            rho, tau, _ = correlate([values.get(k, np.nan) for k in common], [table[d][k]["val_accuracy_200ep"] for k in common])
            cells += [f"{rho:.3f}", f"{tau:.3f}"]
        naslib = NASLIB_NAME.get(name)
        if naslib:
            c10 = table["cifar10"]
            rho_ref, _, _ = correlate([c10[k][naslib] for k in keys], [c10[k]["val_accuracy_200ep"] for k in keys])
            agree, _, _ = correlate([values.get(k, np.nan) for k in keys], [c10[k][naslib] for k in keys])
            cells += [f"{rho_ref:.3f}", f"{agree:.3f}"]
        else:
            cells += ["-", "-"]
        if name in names:
            secs = [float(scores[k][f"{name}_s"]) for k in keys if scores[k].get(f"{name}_s") not in ("", None)]
            cells.append(f"{np.mean(secs):.3f}")
        elif name == "combo":
            secs = [sum(float(scores[k][f"{n}_s"]) for n in COMBO) for k in keys]
            cells.append(f"{np.mean(secs):.3f}")
        else:
            cells.append("-")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
