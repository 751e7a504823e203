"""The library entry points behind the CLI: run a search, score one design."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from codesign.config.schema import ExperimentConfig, load_config, parse_config

if TYPE_CHECKING:
    from codesign.search.loop import RunSummary


def _default_run_dir(config: ExperimentConfig) -> Path:
    import datetime as dt

    if config.output:
        return Path(config.output)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{config.name}-{stamp}"


def run(config: str | Path | dict[str, Any] | ExperimentConfig, out: str | Path | None = None,
        quiet: bool = True, ray_address: str | None = None, storage: str | None = None):
    """Run a search from an experiment file, mapping or config; returns a ``RunSummary``.
    ``storage``: a database URL for the study (default: the config's, else a journal file)."""
    from codesign.search.experiment import Experiment
    from codesign.search.loop import run_search
    from codesign.storage.run_dir import RunDir

    if isinstance(config, (str, Path)):
        config = load_config(config)
    elif isinstance(config, dict):
        config = parse_config(config)
    experiment = Experiment.build(config)  # the one build this run uses
    run_dir = RunDir.create(out or _default_run_dir(config), config, storage_url=storage)
    return write_front(run_search(experiment, run_dir, quiet=quiet, ray_address=ray_address))


def resume(run_dir: str | Path, quiet: bool = True, ray_address: str | None = None, storage: str | None = None):
    """Continue a run until its budget; returns a ``RunSummary``. ``storage``: the run's own
    database URL again, with the password its run files do not keep (or set
    ``$CODESIGN_STORAGE_URL``)."""
    from codesign.search.experiment import Experiment
    from codesign.search.loop import run_search
    from codesign.storage.run_dir import RunDir

    run_dir = RunDir.open(run_dir)
    if storage:
        run_dir.use_storage_url(storage)
    experiment = Experiment.build(run_dir.config())
    return write_front(run_search(experiment, run_dir, quiet=quiet, resume=True, ray_address=ray_address))


def write_front(summary: RunSummary) -> RunSummary:
    """Write the run's Pareto front (``front_rows``) to ``RUN_DIR/front.json``; returns ``summary``."""
    import json

    from codesign.report.front import compute_front, front_rows
    from codesign.storage.run_dir import FRONT_FILE, RunDir

    run_dir = RunDir.open(summary.run_dir)
    front = compute_front(run_dir.trials(), summary.experiment.objectives)
    (run_dir.path / FRONT_FILE).write_text(json.dumps(front_rows(front), default=str, indent=1) + "\n")
    return summary


def evaluate(space: str, arch: str, accelerator: str, overrides: dict[str, Any] | None = None,
             space_options: dict[str, Any] | None = None, proxy: str | None = None, batch: int = 1,
             cost_model: str | None = None, goal: str = "edp", seed: int = 0, with_layers: bool = True) -> dict[str, Any]:
    """Score one architecture (a space key) on one accelerator (preset or YAML file)."""
    from codesign.hardware.presets import load_accelerator
    from codesign.report.export import outcome_json
    from codesign.search.candidate import Candidate
    from codesign.search.design import model_pipeline

    hardware = load_accelerator(accelerator, overrides)
    pipeline = model_pipeline(space, space_options=space_options or {}, template=hardware.template, proxy=proxy,
                              cost_model=cost_model, goal=goal, batch=batch, seed=seed)
    candidate = Candidate({"arch": pipeline.subspaces["arch"].space.parse(arch), "hw": hardware})
    return outcome_json(pipeline.evaluate(candidate), candidate, pipeline, with_layers=with_layers)


__all__ = ["evaluate", "load_config", "resume", "run", "write_front"]
