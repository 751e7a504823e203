"""A sub-space: one named part of the joint search space (the architecture, the accelerator,
where to cut the network, a plugin's operating voltage, ...).

A sub-space is a registered class that declares its dimensions, turns sampled values into its
part of the candidate, and (de)serialises and describes that part. The loop, the strategies,
storage, ``front``, ``status`` and ``export`` go through this interface only, so a new dimension of
the co-design is one new file. Trial parameters are named ``NAME.dimension``.

It is configured by the experiment file: by a top-level section of its own (``section``: ``space``
for ``arch``, ``accelerator`` for ``hw``, ``split`` for the split sub-space), or, with
``section = None``, by ``subspaces: {NAME: options}``. ``always`` sub-spaces are in every
experiment; the others only when configured. Active sub-spaces bring their ``stages`` into the
evaluation pipeline.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from codesign.dimension import Dimension
from codesign.options import NoOptions, PluginOptions, validate_options
from codesign.registry import Registry


class SubSpace(ABC):
    """One named part of the joint space; subclasses set ``Options`` and implement ``make``."""

    Options: ClassVar[type[PluginOptions]] = NoOptions
    #: Top-level key of the experiment file that configures it (``None``: ``subspaces.NAME``).
    section: ClassVar[str | None] = None
    #: Whether every experiment has it (``arch``, ``hw``).
    always: ClassVar[bool] = False
    #: Stages (registry names) it adds to the pipeline when active.
    stages: ClassVar[tuple[str, ...]] = ()
    #: Column title in tables (default: the registry name).
    title: ClassVar[str] = ""
    #: Options the registry-driven test suite configures it with (``None``: its defaults).
    example: ClassVar[Any] = None

    def __init__(self, options: PluginOptions) -> None:
        self.options = options

    @property
    def name(self) -> str:
        return getattr(type(self), "registry_name", type(self).__name__)

    @property
    def config_field(self) -> str:
        """Where the experiment file configures it (for error messages)."""
        return self.section or f"subspaces.{self.name}"

    @classmethod
    def options_from(cls, raw: Any, where: str) -> PluginOptions:
        """Validated options from the experiment file's entry ``raw`` at ``where``."""
        return validate_options(cls.Options, raw, where)

    @classmethod
    def from_config(cls, raw: Any, where: str) -> SubSpace:
        return cls(cls.options_from(raw, where))

    # -- the space ------------------------------------------------------------------------------
    @abstractmethod
    def dimensions(self) -> list[Dimension]:
        """The searched dimensions (names without the ``NAME.`` prefix)."""

    @abstractmethod
    def make(self, values: dict[str, Any]) -> Any:
        """The part for sampled ``values`` (dimension name → value)."""

    @property
    def prefix(self) -> str:
        return f"{self.name}."

    def params(self) -> tuple[tuple[str, Dimension], ...]:
        """The trial parameters: ``(NAME.dimension, dimension)`` pairs."""
        return tuple((self.prefix + d.name, d) for d in self.dimensions())

    def sample(self, trial: Any) -> Any:
        """Draw the part through an Optuna trial (define-by-run); the default samples every
        dimension independently."""
        return self.make({d.name: d.suggest(trial, self.prefix) for d in self.dimensions()})

    def from_params(self, values: dict[str, Any]) -> Any:
        """The part of a finished trial from its values (dimension name → value)."""
        return self.make(values)

    def values_of(self, params: dict[str, Any]) -> dict[str, Any]:
        """This sub-space's values among a trial's parameters (prefix stripped)."""
        n = len(self.prefix)
        return {k[n:]: v for k, v in params.items() if k.startswith(self.prefix)}

    def size(self) -> int | None:
        """Number of parts when finite."""
        sizes = [d.size for d in self.dimensions()]
        return math.prod(sizes) if None not in sizes else None  # type: ignore[arg-type]

    def where(self, dimension: str) -> str:
        """The config field a dimension comes from."""
        return f"{self.config_field}.{dimension}"

    # -- parts ----------------------------------------------------------------------------------
    @abstractmethod
    def to_dict(self, part: Any) -> dict[str, Any]:
        """The part as JSON (stored on the trial, written to export bundles)."""

    @abstractmethod
    def from_dict(self, data: dict[str, Any], where: str = "") -> Any:
        """The part of ``to_dict`` output (a ``ConfigError`` on ``where`` when it is not one)."""

    def flat(self, part: Any) -> dict[str, Any]:
        """The part as plain values by dimension-like name (what conditions on parameters match)."""
        return self.to_dict(part)

    def key(self, part: Any) -> str:
        """Canonical string of a part (stage caches are keyed by it)."""
        import json

        return json.dumps(self.to_dict(part), sort_keys=True, default=str)

    def describe(self, part: Any) -> str:
        """A short cell for tables."""
        return ", ".join(f"{k}={v}" for k, v in self.to_dict(part).items())

    def describe_data(self, data: dict[str, Any]) -> str:
        """``describe`` of a stored part; the raw JSON when it no longer parses (another version)."""
        try:
            return self.describe(self.from_dict(data))
        except Exception:  # noqa: BLE001 - a table cell must not fail
            return str(data.get("key", data))

    def summary(self, part: Any) -> dict[str, Any]:
        """The part's fields in ``codesign evaluate`` output (default: ``{NAME: to_dict(part)}``)."""
        return {self.name: self.to_dict(part)}

    def export_files(self, part: Any) -> dict[str, str]:
        """Text files for an export bundle (name → text); the default writes ``NAME.json``."""
        import json

        return {f"{self.name}.json": json.dumps(self.to_dict(part), indent=2) + "\n"}


SUBSPACES: Registry[SubSpace] = Registry("sub-space", ("codesign.search.subspaces", "codesign.split"))
