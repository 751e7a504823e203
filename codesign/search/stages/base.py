"""A stage: one step of scoring a candidate (build and trace the network, score its proxy, cost
it on the accelerator, ...), in the spirit of ZigZag's stages.

A stage is a registered class that declares

- ``produces``: the metrics it reports (``Metric``: name, SI unit, direction, one-line meaning);
  objectives and constraints are checked against what the configured stages declare;
- ``needs_parts``: the sub-spaces of the candidate it reads;
- ``needs`` / ``provides``: artefacts (a torch model, a ``Workload``, a ``NetworkCost``) or metric
  names it takes from earlier stages and passes on;
- ``cache_by``: a sub-space name when its result depends on that part only (the architecture):
  the pipeline then caches the result by the part's key;
- ``optional``: dropped from a pipeline whose objectives and constraints use none of its metrics
  and whose later stages need none of its artefacts (the proxy, when no objective asks for it).

``run(candidate, upstream)`` returns a ``StageResult``; it may raise (the candidate then fails
with the error). Adding an objective is one stage file that declares its metric.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from codesign.options import NoOptions, PluginOptions, validate_options
from codesign.registry import Registry
from codesign.search.metrics import Metric

if TYPE_CHECKING:
    from codesign.config.schema import ExperimentConfig
    from codesign.search.candidate import Candidate
    from codesign.search.subspaces.base import SubSpace


#: Runs a method of a stage, by name, on each of some items (possibly in other processes); the
#: results in the items' order.
StageMap = Callable[[str, Sequence[Any]], list[Any]]


@dataclass
class StageResult:
    """What one stage found: declared metric values, artefacts for later stages, JSON extras to
    store with the metrics, and whether the design is feasible (with the reasons)."""

    values: dict[str, float | None] = field(default_factory=dict)
    artefacts: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    feasible: bool = True
    reasons: list[str] = field(default_factory=list)
    #: An error that voids the trial (a failed proxy) while keeping the metrics for inspection.
    error: str = ""
    #: Seconds the stage took (set by the pipeline).
    seconds: float = 0.0


class Upstream:
    """What earlier stages of the same candidate produced."""

    def __init__(self) -> None:
        self.artefacts: dict[str, Any] = {}
        self.values: dict[str, float | None] = {}

    def artefact(self, name: str) -> Any:
        try:
            return self.artefacts[name]
        except KeyError:
            raise KeyError(f"no earlier stage provided {name!r}") from None

    def value(self, name: str) -> float | None:
        return self.values.get(name)


class Stage(ABC):
    """One evaluation step; subclasses set the class attributes and implement ``run``."""

    Options: ClassVar[type[PluginOptions]] = NoOptions
    produces: ClassVar[tuple[Metric, ...]] = ()
    needs_parts: ClassVar[tuple[str, ...]] = ()
    needs: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()
    cache_by: ClassVar[str | None] = None
    optional: ClassVar[bool] = False

    def __init__(self, options: PluginOptions, subspaces: Mapping[str, SubSpace]) -> None:
        self.options = options
        self.subspaces = subspaces

    @property
    def name(self) -> str:
        return getattr(type(self), "registry_name", type(self).__name__)

    @classmethod
    def options_from(cls, config: ExperimentConfig | None, raw: Any, where: str) -> PluginOptions:
        """Validated options: ``raw`` (the stage's ``options:`` entry) at ``where``; built-in
        stages also read their sections of ``config`` (``proxy:``, ``accelerator:``)."""
        return validate_options(cls.Options, raw, where)

    def prepare(self, run: StageMap | None = None) -> PluginOptions | None:
        """Driver-side work done once before the search (a proxy's reference sample); returns
        the options workers should build the stage with, or ``None`` to keep them. ``run``, when
        given, runs a method of this stage on items on the executor's workers, in parallel
        (``run("method", items)`` is ``[stage.method(item) for item in items]``)."""
        return None

    def seeds(self) -> list[tuple[dict[str, Any], str]]:
        """(trial parameters of an architecture, a label naming where it comes from) for the
        architectures ``prepare`` already did this stage's work for, e.g. a rank combination's
        reference sample: a strategy whose first trials are random draws may take them, so that
        work is not done again. None by default (an empty list)."""
        return []

    def export(self, candidate: Candidate, out_dir: Any) -> tuple[list[str], str]:
        """Write deployment files of what this stage builds (a model's ONNX) into ``out_dir`` for
        an export bundle: (file names written, error text or "")."""
        return [], ""

    @abstractmethod
    def run(self, candidate: Candidate, upstream: Upstream) -> StageResult:
        """Score ``candidate`` given what earlier stages produced."""


STAGES: Registry[Stage] = Registry("stage", ("codesign.search.stages", "codesign.split"))
