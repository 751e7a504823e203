"""Experiments for engine tests: the tiny MBConv space scored by the ``synthetic`` evaluator
(microseconds per trial), so a search of dozens of trials takes a fraction of a second."""
from __future__ import annotations

import copy
from typing import Any

from codesign.config.schema import parse_config
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.storage.run_dir import RunDir
from tests.conftest import TINY_SPACE, tiny_config

#: Two architectures (stage 1 expansion 3 or 6) x 2 row counts x 3 dataflows = 12 points.
SMALL_SPACE = copy.deepcopy(TINY_SPACE)
SMALL_SPACE["stages"] = [
    {"channels": 16, "stride": 2, "depths": [1], "kernels": [3], "expansions": [3, 6]},
    {"channels": 24, "stride": 2, "depths": [1], "kernels": [3], "expansions": [3]},
]
SMALL_HW = {"rows": [4, 8], "dataflow": ["ws", "os", "is"]}


def synthetic_config(options: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """The tiny experiment with the synthetic evaluator (``options`` are the evaluator's)."""
    overrides.setdefault("evaluator", {"name": "synthetic", "options": options or {}})
    overrides.setdefault("budget", {"trials": 24})
    return tiny_config(**overrides)


def small_config(**overrides: Any) -> dict[str, Any]:
    """A 12-point joint space (see ``SMALL_SPACE``), synthetic scores."""
    config = synthetic_config(**overrides)
    config["space"] = {"name": "mbconv", "options": SMALL_SPACE}
    config["accelerator"] = {"template": "systolic", "params": {"cols": 8}, "search": SMALL_HW}
    return config


def run_config(path, config: dict[str, Any], resume: bool = False, **kwargs: Any):
    """Run (or resume) ``config`` in ``path``; returns (RunDir, RunSummary)."""
    cfg = parse_config(config)
    run_dir = RunDir.open(path) if resume else RunDir.create(path, cfg)
    experiment = Experiment.from_config(run_dir.config() if resume else cfg)
    return run_dir, run_search(experiment, run_dir, quiet=True, resume=resume, **kwargs)
