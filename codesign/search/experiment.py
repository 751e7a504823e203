"""An experiment config built into the objects a search uses: validate → normalise → build, once.

``Experiment.build(config)`` resolves every registry name and option: the active sub-spaces
(``arch`` and ``hw`` always; others when their section or ``subspaces:`` entry is present), the
pipeline (the evaluator's stage set, the sub-spaces' stages, the ``stages:`` list), the objectives
and constraints against the metrics those stages declare (plus the derived ones), the executor,
the storage URL and the strategy's sampler. A bad config fails here, before any work starts,
with one line naming the field; the run then uses this one object.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import optuna

from codesign.config.schema import ExperimentConfig
from codesign.errors import ConfigError, UnknownNameError
from codesign.search.candidate import Candidate
from codesign.search.derived import derivable
from codesign.search.metrics import (
    Constraint,
    Metric,
    Objective,
    parse_constraint,
    parse_objectives,
)
from codesign.search.pipeline import (
    DEFAULT_CACHE_SIZE,
    Pipeline,
    PipelineSpec,
    PluginSpec,
    check_stages,
    declared_metrics,
)
from codesign.search.stages.base import STAGES, Stage
from codesign.search.stages.sets import STAGE_SETS
from codesign.search.strategies import JointSpace, Strategy, make_strategy
from codesign.search.subspaces.base import SUBSPACES, SubSpace


def _subspace_entries(config: ExperimentConfig) -> list[tuple[str, type[SubSpace], Any, str]]:
    """(name, class, raw options, config field) of the active sub-spaces: ``always`` ones first,
    then by name (the order parameters are sampled in)."""
    extra = config.model_extra or {}
    for name in config.subspaces:
        if name not in SUBSPACES:
            raise UnknownNameError("sub-space", name, SUBSPACES.names(), f"subspaces.{name}")
        section = SUBSPACES.get(name).section
        if section is not None:
            raise ConfigError(f"subspaces.{name}", f"is configured by the top-level {section!r} section")
    out = []
    for name, cls in sorted(SUBSPACES, key=lambda item: (not item[1].always, item[0])):
        if cls.section is not None:
            if cls.section in ExperimentConfig.model_fields:
                present, raw = True, getattr(config, cls.section)
            else:
                present, raw = cls.section in extra, extra.get(cls.section)
            if cls.always or present:
                out.append((name, cls, raw, cls.section))
        elif cls.always or name in config.subspaces:
            out.append((name, cls, config.subspaces.get(name), f"subspaces.{name}"))
    return out


def _stage_entries(config: ExperimentConfig, subspaces: dict[str, SubSpace]) -> list[tuple[str, type[Stage], Any, str]]:
    """(name, class, raw options, config field) of every configured stage, in pipeline order."""
    stage_set = STAGE_SETS.get(config.evaluator.name, field="evaluator.name")
    if stage_set.options_stage is None and config.evaluator.options:
        raise ConfigError("evaluator.options", f"unknown option(s) {', '.join(sorted(config.evaluator.options))} "
                                               f"for the {config.evaluator.name} evaluator (it takes none)")
    entries = []
    for name in stage_set.stages:
        raw = config.evaluator.options if name == stage_set.options_stage else None
        where = "evaluator.options" if name == stage_set.options_stage else "evaluator.name"
        entries.append((name, STAGES.get(name, field="evaluator.name"), raw, where))
    for sub in subspaces.values():
        for name in type(sub).stages:
            entries.append((name, STAGES.get(name, field=sub.config_field), None, sub.config_field))
    for i, entry in enumerate(config.stages):
        entries.append((entry.name, STAGES.get(entry.name, field=f"stages[{i}].name"), entry.options, f"stages[{i}]"))
    return entries


def _used(stage_entries: list[tuple[str, type[Stage], Any, str]], wanted: set[str]) -> list[bool]:
    """Which stages to keep: every non-optional one, and an optional one whose metrics are
    wanted or whose artefacts a kept later stage needs."""
    keep = [False] * len(stage_entries)
    needed = set(wanted)
    for i in range(len(stage_entries) - 1, -1, -1):
        _, cls, _, _ = stage_entries[i]
        gives = {m.name for m in cls.produces} | set(cls.provides)
        keep[i] = not cls.optional or bool(gives & needed)
        if keep[i]:
            needed |= set(cls.needs)
    return keep


@dataclass
class Experiment:
    """The built experiment: sub-spaces, pipeline, objectives, constraints and strategy."""

    config: ExperimentConfig
    subspaces: dict[str, SubSpace]
    pipeline_spec: PipelineSpec
    objectives: list[Objective]
    constraints: list[Constraint]
    #: Every metric the configured stages declare, and the derived ones (name → ``Metric``).
    metrics: dict[str, Metric]
    strategy: Strategy
    sampler: optuna.samplers.BaseSampler
    _pipeline: Pipeline | None = field(default=None, repr=False)

    @classmethod
    def build(cls, config: ExperimentConfig) -> Experiment:
        """Validate, normalise and build ``config`` (see the module docstring)."""
        subspaces: dict[str, SubSpace] = {}
        for name, sub_cls, raw, where in _subspace_entries(config):
            subspaces[name] = sub_cls.from_config(raw, where)
        entries = _stage_entries(config, subspaces)
        check_stages([(n, c, w) for n, c, _, w in entries], list(subspaces))
        declared = declared_metrics([c for _, c, _, _ in entries])
        metrics = {**declared, **{m.name: m for m in derivable(declared)}}
        objectives = parse_objectives(config.objectives, available=metrics)
        constraints = [parse_constraint(name, raw, f"constraints.{name}", metrics)
                       for name, raw in config.constraints.items()]
        wanted = {o.metric.name for o in objectives} | {c.metric.name for c in constraints}
        for o in objectives + constraints:  # a derived metric needs its inputs' stages
            wanted |= {m.name for d in _derivations(o.metric) for m in d.inputs}
        keep = _used(entries, wanted)
        stages = tuple(PluginSpec(name, stage_cls.options_from(config, raw, where))
                       for (name, stage_cls, raw, where), kept in zip(entries, keep, strict=True) if kept)
        spec = PipelineSpec(subspaces=tuple(PluginSpec(n, s.options) for n, s in subspaces.items()),
                            stages=stages, cache_size=DEFAULT_CACHE_SIZE)
        from codesign.search.executors import EXECUTORS

        EXECUTORS.get(config.executor.name, field="executor.name")
        if config.storage is not None:
            from codesign.storage.run_dir import check_storage_url

            check_storage_url(config.storage)
        strategy = make_strategy(config.strategy.name, config.seed, dict(config.strategy.options))
        joint = joint_space(subspaces)
        sampler = strategy.sampler(joint)
        return cls(config, subspaces, spec, objectives, constraints, metrics, strategy, sampler)

    #: The name the engine used before ``build`` (kept for callers of the old API).
    from_config = build

    @property
    def pipeline(self) -> Pipeline:
        """This process's pipeline over the experiment's sub-spaces (built on first use)."""
        if self._pipeline is None:
            self._pipeline = Pipeline(self.pipeline_spec, self.subspaces)
        return self._pipeline

    @property
    def joint_space(self) -> JointSpace:
        return joint_space(self.subspaces)

    @property
    def directions(self) -> list[str]:
        return [o.direction for o in self.objectives]

    def candidate(self, trial: Any) -> Candidate:
        """Sample one candidate through an Optuna trial: one part per sub-space, in order."""
        return Candidate({name: sub.sample(trial) for name, sub in self.subspaces.items()})

    def candidate_from_params(self, params: dict[str, Any]) -> Candidate:
        return Candidate({name: sub.from_params(sub.values_of(params)) for name, sub in self.subspaces.items()})

    def candidate_of(self, record: Any, where: str = "trial") -> Candidate:
        """The candidate a stored trial (``TrialRecord``) evaluated."""
        parts = {}
        for name, sub in self.subspaces.items():
            data = record.part_data(name)
            if data is None:
                raise ConfigError(f"{where}.{name}", "the stored trial has no such part")
            parts[name] = sub.from_dict(data, f"{where}.{name}")
        return Candidate(parts)


def _derivations(metric: Metric) -> list[Any]:
    from codesign.search.derived import DERIVED

    return [d for d in DERIVED if d.metric.name == metric.name]


def joint_space(subspaces: dict[str, SubSpace]) -> JointSpace:
    """The trial parameters of the sub-spaces, grouped by sub-space."""
    groups = tuple((name, sub.params()) for name, sub in subspaces.items())
    fields = {param: sub.where(dim.name) for name, sub in subspaces.items() for param, dim in sub.params()}
    return JointSpace(groups=groups, fields=fields)
