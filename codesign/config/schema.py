"""Experiment configuration: YAML → pydantic models (structure and types) → semantic checks
against the registries (names, parameters, units). Every failure is a ``ConfigError`` naming the
field, e.g. ``strategy.name: unknown strategy 'nsga3' (known: grid, nested, nsga2, qmc, random, tpe)``."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from codesign.errors import ConfigError
from codesign.spaces.base import check_int_magnitude, format_validation_error
from codesign.yamlio import read_yaml

#: Largest inference batch a workload is costed at (the proxies' tensors are built at it).
MAX_BATCH = 4096
#: Seeds are NumPy/Optuna seeds: 0 .. 2**32 - 1.
MAX_SEED = 2**32 - 1
#: Largest trial budget (a billion trials: far beyond any study a journal or database holds).
MAX_TRIALS = 10**9
#: Most evaluation workers (Ray actors) one run starts.
MAX_WORKERS = 4096


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _bounded_ints(cls, value: Any) -> Any:
        return check_int_magnitude(value)


class SpaceSection(_Strict):
    name: str = "mbconv"
    options: dict[str, Any] = Field(default_factory=dict)


class AcceleratorSection(_Strict):
    """A template (with fixed ``params`` and searched ``search`` ranges) or a fixed ``preset``
    (whose parameters ``params`` may override and ``search`` may open up)."""

    template: str | None = None
    preset: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    search: dict[str, Any] | None = None
    cost_model: str | None = None
    goal: Literal["latency", "energy", "edp"] = "edp"


class ProxySection(_Strict):
    """The accuracy proxy: ``combo`` (rank combination of synflow, NASWOT and jacob_cov) by default."""

    name: str = "combo"
    options: dict[str, Any] = Field(default_factory=dict)
    batch_size: int = Field(16, ge=2, le=1024)
    data: Literal["synthetic", "gaussian", "digits", "mnist", "folder"] = "synthetic"
    data_path: str | None = None


class StrategySection(_Strict):
    name: str = "nsga2"
    options: dict[str, Any] = Field(default_factory=dict)


class EvaluatorSection(_Strict):
    """How a candidate is scored: ``model`` (build, proxy, cost model), ``table`` (precomputed
    scores) or ``synthetic`` (analytic, for engine tests)."""

    name: str = "model"
    options: dict[str, Any] = Field(default_factory=dict)


_DURATION_RE = re.compile(r"^\s*([0-9.]+)\s*(s|m|h)?\s*$")


class BudgetSection(_Strict):
    trials: int | None = Field(100, ge=1, le=MAX_TRIALS)
    time: float | None = Field(None, gt=0, description="seconds; strings like '90s', '10m', '1h'")

    @field_validator("time", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _DURATION_RE.match(value)
            if not match:
                raise ValueError("expected seconds or a duration like '90s', '10m', '1h'")
            return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]
        return value


class ExecutorSection(_Strict):
    name: str = "inline"
    workers: int = Field(1, ge=1, le=MAX_WORKERS)
    address: str | None = None
    batch_size: int | None = Field(None, ge=1, le=MAX_WORKERS * 64)
    trial_timeout: float | None = Field(None, gt=0)


class ExperimentConfig(_Strict):
    """One experiment: what to search, how to score it and how to search."""

    name: str = Field(min_length=1)
    description: str = ""
    seed: int = Field(0, ge=0, le=MAX_SEED)
    space: SpaceSection = Field(default_factory=SpaceSection)
    accelerator: AcceleratorSection = Field(default_factory=lambda: AcceleratorSection(template="systolic"))
    proxy: ProxySection = Field(default_factory=ProxySection)
    objectives: dict[str, str] = Field(default_factory=lambda: {"proxy": "maximize", "latency": "minimize",
                                                                 "energy": "minimize"})
    constraints: dict[str, Any] = Field(default_factory=dict)
    strategy: StrategySection = Field(default_factory=StrategySection)
    budget: BudgetSection = Field(default_factory=BudgetSection)
    executor: ExecutorSection = Field(default_factory=ExecutorSection)
    evaluator: EvaluatorSection = Field(default_factory=EvaluatorSection)
    batch: int = Field(1, ge=1, le=MAX_BATCH, description="inference batch size of the costed workload")
    output: str | None = None
    storage: str | None = Field(None, description="database URL for the study (default: a journal file in the run)")

    @field_validator("budget")
    @classmethod
    def _some_budget(cls, value: BudgetSection) -> BudgetSection:
        if value.trials is None and value.time is None:
            raise ValueError("give trials, time or both")
        return value


def parse_config(data: Any, source: str = "config") -> ExperimentConfig:
    """Validate a plain mapping into an ``ExperimentConfig`` and check every name it uses."""
    if not isinstance(data, dict):
        raise ConfigError(source, "an experiment file must be a YAML mapping")
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, "") from None
    check_config(config)
    return config


def load_config(path: str | Path) -> ExperimentConfig:
    """Read and validate an experiment YAML file."""
    return parse_config(read_yaml(path, "experiment file"), source=str(path))


def check_config(config: ExperimentConfig) -> None:
    """Resolve every registry name, parameter range, objective and constraint once, so that a
    bad config fails before any work starts."""
    from codesign.search.experiment import Experiment

    Experiment.from_config(config)
