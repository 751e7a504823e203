"""Evaluation of one candidate (architecture x accelerator): the work of a trial.

Evaluators are registered in ``EVALUATORS`` and named by ``EvaluatorSpec.evaluator``: ``model``
(this module: build the network, score its proxy, cost it on the accelerator) is the default;
``synthetic`` (analytic scores, for testing the engine and measuring its overhead) and ``table``
(precomputed scores, for benchmarking strategies) live in ``codesign/search/evaluators/``.

Architecture-level results (model build, workload extraction, proxy score) do not depend on the
hardware, so the model evaluator caches them by architecture key: a search that revisits an
architecture with other accelerators pays only for the cost model.
"""
from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from codesign.costmodel.base import CostModel, cost_model_for
from codesign.costmodel.result import NetworkCost
from codesign.errors import ConfigError
from codesign.hardware.config import AcceleratorConfig
from codesign.proxies.base import PROXIES, ProxyContext, ProxyScore
from codesign.proxies.data import proxy_batch
from codesign.registry import Registry
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import SearchSpace, create_space
from codesign.workload import Workload


@dataclass(frozen=True)
class Candidate:
    """One point of the joint space. ``split`` is reserved for device/edge/cloud partitioning."""

    arch: ArchSpec
    hardware: AcceleratorConfig
    split: dict[str, Any] | None = None


@dataclass(frozen=True)
class EvaluatorSpec:
    """Everything needed to build an evaluator (plain data, so it can be sent to a worker)."""

    space: str
    space_options: dict[str, Any] = field(default_factory=dict)
    proxy: str | None = "combo"
    proxy_options: dict[str, Any] = field(default_factory=dict)
    proxy_batch_size: int = 16
    proxy_data: str = "synthetic"
    proxy_data_path: str | None = None
    cost_model: str | None = None
    goal: str = "edp"
    batch: int = 1
    seed: int = 0
    cache_size: int = 4096
    #: A registered evaluator (``EVALUATORS``) and its options.
    evaluator: str = "model"
    evaluator_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class ArchResult:
    """What an architecture costs to know once: its workload and proxy score."""

    workload: Workload
    proxy: ProxyScore | None
    params: int
    seconds: float


@dataclass
class Outcome:
    """The result of evaluating one candidate: SI metrics, or an error."""

    metrics: dict[str, Any]
    feasible: bool
    reasons: list[str]
    error: str = ""
    cost: NetworkCost | None = None
    seconds: float = 0.0
    #: Seconds spent on the architecture (build, trace, proxy); 0 on a cache hit.
    arch_seconds: float = 0.0
    cache_hit: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def unmapped_fraction(self) -> float:
        """Share of the network that cannot run on the hardware: 0 when feasible, 1 when the
        hardware itself is invalid; the search uses it as the "mappable" constraint."""
        if self.feasible:
            return 0.0
        value = self.metrics.get("unmapped_fraction")
        return float(value) if value is not None and math.isfinite(value) and value > 0 else 1.0


def unmapped_fraction(cost: NetworkCost) -> float:
    """Share of the layers the hardware cannot run (1 when the hardware itself is invalid)."""
    n_layers = len(cost.reasons)
    if cost.hardware_problems or not n_layers:
        return 1.0 if not cost.feasible else 0.0
    return sum(bool(r) for r in cost.reasons) / n_layers


def failed_outcome(error: str, seconds: float = 0.0) -> Outcome:
    """An evaluation that produced no metrics, with its error."""
    return Outcome(metrics={}, feasible=False, reasons=[], error=error, seconds=seconds)


class CandidateEvaluator(ABC):
    """Scores candidates of one experiment; built from an ``EvaluatorSpec`` (on a worker too)."""

    #: Names ``evaluator.options`` may hold.
    OPTIONS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, spec: EvaluatorSpec) -> None:
        self.spec = spec

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        """Validate ``evaluator.options`` before any work starts (``ConfigError`` naming the key);
        subclasses extend it for their values."""
        unknown = set(options) - set(cls.OPTIONS)
        if unknown:
            name = getattr(cls, "registry_name", cls.__name__)
            known = f"known: {', '.join(cls.OPTIONS)}" if cls.OPTIONS else "it takes none"
            raise ConfigError("evaluator.options", f"unknown option(s) {', '.join(sorted(unknown))} "
                                                   f"for the {name} evaluator ({known})")

    @abstractmethod
    def evaluate(self, candidate: Candidate) -> Outcome:
        """SI metrics of ``candidate``; errors are returned as a failed ``Outcome``, not raised."""


EVALUATORS: Registry[CandidateEvaluator] = Registry(
    "evaluator", ("codesign.search.evaluator", "codesign.search.evaluators"))


def make_evaluator(spec: EvaluatorSpec) -> CandidateEvaluator:
    """The evaluator ``spec.evaluator`` names."""
    return EVALUATORS.get(spec.evaluator, field="evaluator.name")(spec)


def prepared_spec(spec: EvaluatorSpec) -> EvaluatorSpec:
    """``spec`` with everything workers must share computed once: the reference scores of a rank
    combination proxy, so every worker (and every later re-scoring of an export) ranks against the
    same sample. Only the model evaluator scores proxies."""
    if spec.evaluator != "model" or not spec.proxy:
        return spec
    evaluator = Evaluator(spec)
    if not getattr(evaluator.proxy, "needs_reference", False):
        return spec
    evaluator.ensure_proxy_reference()
    return replace(spec, proxy_options={**spec.proxy_options, "reference": evaluator.proxy.reference})


@EVALUATORS.register("model")
class Evaluator(CandidateEvaluator):
    """Builds the network, scores its proxy and costs it on the accelerator; keeps an LRU cache
    of architecture-level results."""

    def __init__(self, spec: EvaluatorSpec) -> None:
        super().__init__(spec)
        self.space: SearchSpace = create_space(spec.space, spec.space_options)
        self.proxy = PROXIES.create(spec.proxy, **spec.proxy_options) if spec.proxy else None
        self._cache: OrderedDict[str, ArchResult] = OrderedDict()
        self._cost_models: dict[str, CostModel] = {}

    def cost_model(self, hardware: AcceleratorConfig) -> CostModel:
        key = self.spec.cost_model or hardware.default_cost_model
        if key not in self._cost_models:
            self._cost_models[key] = cost_model_for(hardware, self.spec.cost_model, self.spec.goal)
        return self._cost_models[key]

    def proxy_context(self, arch: ArchSpec, workload: Workload | None = None) -> ProxyContext:
        """What a proxy sees of ``arch``: seeded fresh models, the configured batch, the workload."""
        shape = self.space.input_shape(arch)
        batch = proxy_batch(self.spec.proxy_data, shape, self.spec.proxy_batch_size, self.space.options.num_classes,
                            self.spec.seed, self.spec.proxy_data_path)
        return ProxyContext(model_factory=lambda: self.space.build(arch, seed=self.spec.seed), batch=batch,
                            workload_factory=(lambda: workload) if workload is not None else (lambda: self.space.workload(arch)))

    def ensure_proxy_reference(self) -> None:
        """Score the seeded reference sample of the space that a rank combination needs (once)."""
        if not getattr(self.proxy, "needs_reference", False):
            return
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=self.spec.seed))
        archs = []
        for _ in range(self.proxy.reference_size):
            trial = study.ask()
            archs.append(self.space.sample(trial))
            study.tell(trial, 0.0)
        self.proxy.build_reference(self.proxy_context(arch) for arch in archs)

    def arch_result(self, arch: ArchSpec) -> tuple[ArchResult, bool]:
        """Workload and proxy score of ``arch`` (cached); the flag says whether it was cached."""
        if arch.key in self._cache:
            self._cache.move_to_end(arch.key)
            return self._cache[arch.key], True
        start = time.perf_counter()
        model = self.space.build(arch, seed=self.spec.seed)
        params = sum(p.numel() for p in model.parameters())
        workload = self.space.workload(arch, batch=self.spec.batch, model=model)
        score = None
        if self.proxy is not None:
            self.ensure_proxy_reference()
            score = self.proxy.score(self.proxy_context(arch, workload))
        result = ArchResult(workload=workload, proxy=score, params=params, seconds=time.perf_counter() - start)
        self._cache[arch.key] = result
        if len(self._cache) > self.spec.cache_size:
            self._cache.popitem(last=False)
        return result, False

    def evaluate(self, candidate: Candidate) -> Outcome:
        """Metrics of one candidate; exceptions become a failed outcome with the error."""
        start = time.perf_counter()
        try:
            arch_result, hit = self.arch_result(candidate.arch)
            cost = self.cost_model(candidate.hardware).evaluate(arch_result.workload, candidate.hardware)
        except Exception as exc:  # noqa: BLE001 - recorded on the trial, the search goes on
            return failed_outcome(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        metrics = cost.metrics()
        metrics["params"] = arch_result.params
        metrics["unmapped_fraction"] = unmapped_fraction(cost)
        proxy = arch_result.proxy
        metrics["proxy"] = proxy.value if proxy is not None else None
        if proxy is not None:
            metrics["proxy_name"] = proxy.name
            if not proxy.ok:
                metrics["proxy_error"] = proxy.error
        reasons = list(cost.infeasible_reasons)
        error = ""
        if proxy is not None and not proxy.ok:
            error = f"proxy {proxy.name} failed: {proxy.error}"
        return Outcome(metrics=metrics, feasible=cost.feasible, reasons=reasons, error=error, cost=cost,
                       seconds=time.perf_counter() - start, arch_seconds=0.0 if hit else arch_result.seconds,
                       cache_hit=hit)
