"""Experiment configuration: YAML → pydantic models (structure and types). The semantic checks
against the registries (names, parameters, units, metrics) happen once, when the config is built
into the ``Experiment`` a run uses (``codesign/search/experiment.py``). Every failure is a
``ConfigError`` naming the field, e.g. ``strategy.name: unknown strategy 'nsga3' (known: grid,
nested, nsga2, qmc, random, tpe)``.

Parsing imports neither torch nor Optuna (``tests/config/test_schema.py`` checks it)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from codesign.errors import ConfigError
from codesign.options import PluginOptions, format_validation_error
from codesign.yamlio import read_yaml


class _Strict(PluginOptions):
    pass


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


class StageEntry(_Strict):
    """An extra stage of the pipeline: a registered stage and its options."""

    name: str
    options: dict[str, Any] = Field(default_factory=dict)


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
    trials: int | None = Field(100, ge=1)
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
    workers: int = Field(1, ge=1)
    address: str | None = None
    batch_size: int | None = Field(None, ge=1)
    trial_timeout: float | None = Field(None, gt=0)


class ExperimentConfig(_Strict):
    """One experiment: what to search, how to score it and how to search. Top-level keys beyond
    these are allowed only when a registered sub-space claims them as its ``section``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    seed: int = 0
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
    #: Extra sub-spaces configured by name (those without a section of their own).
    subspaces: dict[str, Any] = Field(default_factory=dict)
    #: Extra stages, run after the evaluator's stage set and the sub-spaces' stages.
    stages: list[StageEntry] = Field(default_factory=list)
    batch: int = Field(1, ge=1, description="inference batch size of the costed workload")
    output: str | None = None
    storage: str | None = Field(None, description="database URL for the study (default: a journal file in the run)")

    @field_validator("budget")
    @classmethod
    def _some_budget(cls, value: BudgetSection) -> BudgetSection:
        if value.trials is None and value.time is None:
            raise ValueError("give trials, time or both")
        return value


def parse_config(data: Any, source: str = "config") -> ExperimentConfig:
    """Validate a plain mapping into an ``ExperimentConfig`` (structure and types; the registry
    checks happen when it is built: ``Experiment.build``)."""
    if not isinstance(data, dict):
        raise ConfigError(source, "an experiment file must be a YAML mapping")
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, "") from None
    if config.model_extra:
        check_sections(config.model_extra)
    return config


def load_config(path: str | Path) -> ExperimentConfig:
    """Read and validate an experiment YAML file."""
    return parse_config(read_yaml(path, "experiment file"), source=str(path))


def section_owners() -> dict[str, str]:
    """Top-level sections claimed by registered sub-spaces: section → sub-space name."""
    from codesign.search.subspaces.base import SUBSPACES

    return {cls.section: name for name, cls in SUBSPACES if cls.section}


def check_sections(extra: dict[str, Any]) -> None:
    """Every extra top-level key must be the section of a registered sub-space."""
    owners = section_owners()
    for key in extra:
        if key not in owners:
            raise ConfigError(key, "unknown key")
