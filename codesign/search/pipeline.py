"""The evaluation pipeline: the configured stages run in order on one candidate.

A ``PipelineSpec`` is plain, picklable data (each active sub-space's and stage's validated
options), so a Ray worker rebuilds the same ``Pipeline``. The pipeline

- runs each stage with what earlier stages produced (``Upstream``), and caches the result of a
  stage with ``cache_by`` (the architecture stages) by that part's key, in an LRU of
  ``cache_size`` entries, so a search that revisits an architecture pays only for the rest;
- collects the declared metric values into typed ``Metrics`` (a stage reporting a metric it did
  not declare is a bug, raised as such), then adds the derived metrics (``derived.py``);
- turns any exception into a failed ``Outcome`` with the error: the search goes on.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from codesign.errors import ConfigError
from codesign.options import PluginOptions, validate_options
from codesign.search.candidate import Candidate
from codesign.search.derived import add_derived
from codesign.search.metrics import UNMAPPED, Metric, Metrics
from codesign.search.stages.base import STAGES, Stage, StageResult, Upstream
from codesign.search.subspaces.base import SUBSPACES, SubSpace

DEFAULT_CACHE_SIZE = 4096
#: ``run(stage name, method name, items)``: a stage's method on each item, on an executor's workers.
PipelineMap = Callable[[str, str, Sequence[Any]], list[Any]]


@dataclass(frozen=True)
class PluginSpec:
    """A registered sub-space or stage and its validated options."""

    name: str
    options: PluginOptions

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "options": self.options.model_dump(mode="json")}


@dataclass(frozen=True)
class PipelineSpec:
    """Everything needed to build a ``Pipeline`` (plain data: it travels to workers and bundles)."""

    subspaces: tuple[PluginSpec, ...]
    stages: tuple[PluginSpec, ...]
    cache_size: int = DEFAULT_CACHE_SIZE

    def to_json(self) -> dict[str, Any]:
        return {"subspaces": [s.to_json() for s in self.subspaces], "stages": [s.to_json() for s in self.stages],
                "cache_size": self.cache_size}

    @classmethod
    def from_json(cls, data: Any, where: str) -> PipelineSpec:
        """The spec of ``to_json`` output, every name and option validated again."""
        if not isinstance(data, dict) or not {"subspaces", "stages"} <= set(data):
            raise ConfigError(where, "expected {subspaces: [...], stages: [...]}")

        def entries(key: str, registry: Any) -> tuple[PluginSpec, ...]:
            out = []
            for i, entry in enumerate(data[key]):
                at = f"{where}.{key}[{i}]"
                if not isinstance(entry, dict) or "name" not in entry:
                    raise ConfigError(at, "expected {name, options}")
                plugin = registry.get(entry["name"], field=f"{at}.name")
                out.append(PluginSpec(entry["name"], validate_options(plugin.Options, entry.get("options"), f"{at}.options")))
            return tuple(out)

        return cls(entries("subspaces", SUBSPACES), entries("stages", STAGES),
                   int(data.get("cache_size", DEFAULT_CACHE_SIZE)))

    def cached_subspaces(self) -> tuple[str, ...]:
        """The sub-spaces whose parts key the cached stages (the architecture's, usually)."""
        return tuple(dict.fromkeys(c for s in self.stages if (c := STAGES.get(s.name).cache_by) is not None))

    def with_stage_options(self, name: str, options: PluginOptions) -> PipelineSpec:
        return replace(self, stages=tuple(PluginSpec(s.name, options) if s.name == name else s for s in self.stages))


@dataclass
class Outcome:
    """The result of evaluating one candidate: typed metrics, feasibility, or an error."""

    metrics: Metrics
    feasible: bool
    reasons: list[str]
    error: str = ""
    #: Artefacts of the stages (``cost``: the per-layer ``NetworkCost``); dropped by Ray workers.
    artefacts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    #: Seconds spent in cached (architecture) stages that ran; 0 on a cache hit.
    arch_seconds: float = 0.0
    cache_hit: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def cost(self) -> Any:
        return self.artefacts.get("cost")

    @property
    def mappable_violation(self) -> float:
        """The "mappable" constraint: 0 when feasible, else the ``unmapped_fraction`` metric
        when it is known and positive, else 1 (nothing known to map)."""
        if self.feasible:
            return 0.0
        value = self.metrics.value(UNMAPPED.name)
        return value if value is not None and value > 0 else 1.0

    def without_artefacts(self) -> Outcome:
        return replace(self, artefacts={})


def failed_outcome(error: str, seconds: float = 0.0) -> Outcome:
    """An evaluation that produced no metrics, with its error."""
    return Outcome(metrics=Metrics(), feasible=False, reasons=[], error=error, seconds=seconds)


def check_stages(stages: Sequence[tuple[str, type[Stage], str]], subspaces: Sequence[str]) -> None:
    """Each stage's sub-spaces exist, its needs come from earlier stages, no metric is declared
    twice; ``stages`` are (name, class, config field) in order."""
    provided: dict[str, str] = {}
    for name, cls, where in stages:
        for part in cls.needs_parts:
            if part not in subspaces:
                raise ConfigError(where, f"stage {name!r} needs the {part!r} sub-space, which this experiment "
                                         f"does not have (it has: {', '.join(subspaces)})")
        for need in cls.needs:
            if need not in provided:
                raise ConfigError(where, f"stage {name!r} needs {need!r}, which no earlier stage provides "
                                         f"(provided: {', '.join(provided) or 'nothing'})")
        for metric in cls.produces:
            if metric.name in provided:
                raise ConfigError(where, f"stage {name!r} produces {metric.name!r}, as stage "
                                         f"{provided[metric.name]!r} does already")
        for item in (*cls.provides, *(m.name for m in cls.produces)):
            provided[item] = name


def declared_metrics(stage_classes: Sequence[type[Stage]]) -> dict[str, Metric]:
    return {m.name: m for cls in stage_classes for m in cls.produces}


class Pipeline:
    """The stages of a ``PipelineSpec`` over its sub-spaces (built once per process)."""

    def __init__(self, spec: PipelineSpec, subspaces: Mapping[str, SubSpace] | None = None) -> None:
        self.spec = spec
        if subspaces is None:
            subspaces = {s.name: SUBSPACES.get(s.name)(s.options) for s in spec.subspaces}
        self.subspaces = dict(subspaces)
        self.stages: list[Stage] = [STAGES.get(s.name)(s.options, self.subspaces) for s in spec.stages]
        self._declared = [{m.name: m for m in stage.produces} for stage in self.stages]
        self._cache: OrderedDict[tuple[int, str], StageResult] = OrderedDict()
        self._cache_limit = spec.cache_size * max(1, sum(s.cache_by is not None for s in self.stages))

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"the pipeline has no stage {name!r}")

    def prepare(self, run: PipelineMap | None = None) -> PipelineSpec:
        """Run every stage's driver-side preparation once; the spec workers should build.
        ``run(stage, method, items)``, when given, runs a stage's method on the executor's
        workers (the stages' parallel part of the preparation), else each stage runs it here."""
        spec = self.spec
        for stage in self.stages:
            options = stage.prepare(None if run is None else partial(run, stage.name))
            if options is not None:
                spec = spec.with_stage_options(stage.name, options)
        return spec

    def seeds(self) -> list[tuple[dict[str, Any], str]]:
        """The first stage's ``seeds`` that has any (after ``prepare``)."""
        return next((seeds for seeds in (stage.seeds() for stage in self.stages) if seeds), [])

    def _run(self, i: int, stage: Stage, candidate: Candidate, upstream: Upstream) -> tuple[StageResult, bool]:
        key = None
        if stage.cache_by is not None:
            key = (i, self.subspaces[stage.cache_by].key(candidate.part(stage.cache_by)))
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit, True
        start = time.perf_counter()
        result = stage.run(candidate, upstream)
        result.seconds = time.perf_counter() - start
        undeclared = set(result.values) - set(self._declared[i])
        if undeclared:
            raise RuntimeError(f"stage {stage.name!r} reported undeclared metric(s) {', '.join(sorted(undeclared))}")
        if key is not None:
            transient = getattr(stage, "transient", ())
            kept = replace(result, artefacts={k: v for k, v in result.artefacts.items() if k not in transient})
            self._cache[key] = kept
            while len(self._cache) > self._cache_limit:
                self._cache.popitem(last=False)
        return result, False

    def evaluate(self, candidate: Candidate) -> Outcome:
        """The outcome of ``candidate``; an exception becomes a failed outcome with the error."""
        start = time.perf_counter()
        upstream = Upstream()
        metrics = Metrics()
        feasible, reasons, error = True, [], ""
        arch_seconds, cached, hits = 0.0, 0, 0
        try:
            for i, stage in enumerate(self.stages):
                result, hit = self._run(i, stage, candidate, upstream)
                if stage.cache_by is not None:
                    cached += 1
                    hits += hit
                    arch_seconds += 0.0 if hit else result.seconds
                upstream.artefacts.update(result.artefacts)
                upstream.values.update(result.values)
                declared = self._declared[i]
                for name, value in result.values.items():
                    metrics.set(declared[name], value)
                metrics.extras.update(result.extras)
                feasible = feasible and result.feasible
                reasons += result.reasons
                error = error or result.error
        except Exception as exc:  # noqa: BLE001 - recorded on the trial, the search goes on
            return failed_outcome(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        add_derived(metrics)
        metrics.extras.update(feasible=feasible, infeasible_reasons=reasons)
        return Outcome(metrics=metrics, feasible=feasible, reasons=reasons, error=error,
                       artefacts=upstream.artefacts, seconds=time.perf_counter() - start,
                       arch_seconds=arch_seconds, cache_hit=bool(cached) and hits == cached)
