"""Engine overhead per trial with a trivial evaluator: what the search loop itself costs (ask,
sample the joint space, dispatch, tell, journal storage, front tracking), measured in-process, on
Ray actors and with Ray Tune on the same machine. Target (search issue): <= 10 ms per trial for
ours.

    python benchmarks/engine_overhead.py [--trials 300] [--tune-trials 20] [--skip-tune]

Every row runs the quickstart's joint space (MBConv x systolic, 36 parameters, NSGA-II, three
objectives, an area budget) with the ``synthetic`` evaluator, whose scores take microseconds, so
the time per trial is the engine's. ``inline, Optuna journal backend`` is the same loop with
Optuna's stock ``JournalFileBackend`` (a lock, an open and an fsync per storage operation) in
place of ``BufferedJournalFile``, to show what the storage choice is worth. Ray rows exclude Ray's
start-up and shut-down (printed apart); Ray Tune's row is the wall time of ``Tuner.fit`` over its trials, with
the same sampler (Optuna NSGA-II through ``OptunaSearch``) and two concurrent trials.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from codesign.config.schema import parse_config
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.storage.run_dir import RunDir

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 10.0


def experiment_config(trials: int, executor: dict[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "experiments" / "quickstart.yaml").read_text())
    config.update(name="overhead", budget={"trials": trials}, executor=executor,
                  evaluator={"name": "synthetic", "options": {}})
    return config


def ours(trials: int, executor: dict[str, Any], stock_journal: bool = False) -> tuple[float, float]:
    """(ms per trial in the loop, seconds of executor start-up and shut-down)."""
    config = parse_config(experiment_config(trials, executor))
    with tempfile.TemporaryDirectory() as tmp:
        run = RunDir.create(Path(tmp) / "run", config)
        if stock_journal:
            from optuna.storages.journal import JournalFileBackend, JournalStorage

            run._storage = JournalStorage(JournalFileBackend(str(run.path / "study.journal")))
        start = time.perf_counter()
        summary = run_search(Experiment.from_config(config), run, quiet=True)
        wall = time.perf_counter() - start
    assert summary.new_trials == trials, summary
    return 1e3 * summary.seconds / trials, wall - summary.seconds


def ray_tune(trials: int) -> float:
    """ms per trial of Ray Tune running the same space and evaluator."""
    import optuna
    import ray
    from ray import tune
    from ray.tune.search.optuna import OptunaSearch

    from codesign.search.pipeline import Pipeline

    experiment = Experiment.build(parse_config(experiment_config(trials, {"name": "inline"})))
    space = experiment.joint_space.params
    objectives = [o.metric.name for o in experiment.objectives]
    spec = experiment.pipeline_spec

    def trainable(config: dict[str, Any]) -> dict[str, float]:
        metrics = Pipeline(spec).evaluate(experiment.candidate_from_params(config)).metrics
        return {name: metrics.value(o.metric.name) for name, o in zip(objectives, experiment.objectives, strict=True)}

    search = OptunaSearch(sampler=optuna.samplers.NSGAIISampler(seed=0, population_size=24), metric=objectives,
                          mode=[o.direction[:3] for o in experiment.objectives])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tuner = tune.Tuner(
                trainable, param_space={name: tune.choice(list(dim.choices)) for name, dim in space.items()},
                tune_config=tune.TuneConfig(num_samples=trials, search_alg=search, max_concurrent_trials=2),
                run_config=tune.RunConfig(storage_path=tmp, verbose=0),
            )
            start = time.perf_counter()
            results = tuner.fit()
            wall = time.perf_counter() - start
        assert len(results) == trials and not results.errors, results.errors
    finally:
        ray.shutdown()
    return 1e3 * wall / trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--tune-trials", type=int, default=20, help="Ray Tune is ~1000x slower: fewer trials")
    parser.add_argument("--skip-tune", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("RAY_DISABLE_IMPORT_WARNING", "1")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rows = [("inline (ours)", args.trials, *ours(args.trials, {"name": "inline"}))]
    rows.append(("inline, Optuna journal backend", args.trials,
                 *ours(args.trials, {"name": "inline"}, stock_journal=True)))
    rows.append(("ray, 2 actors (ours)", args.trials, *ours(args.trials, {"name": "ray", "workers": 2})))
    if not args.skip_tune:
        rows.append(("ray tune, 2 concurrent", args.tune_trials, ray_tune(args.tune_trials), float("nan")))
    print(f"{'engine':<32} {'trials':>6} {'ms/trial':>9} {'start/stop s':>12}  vs target {TARGET_MS:g} ms")
    for name, n, ms, start_stop_s in rows:
        verdict = ("met" if ms <= TARGET_MS else "NOT met") if "ours" in name else ""
        print(f"{name:<32} {n:>6} {ms:>9.2f} {start_stop_s:>12.2f}  {verdict}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
