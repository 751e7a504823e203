"""Search-space interface: sample (define-by-run), key ↔ genotype, build a torch model, extract
its workload. One registered class per space; built-in spaces live in ``search_spaces/``."""
from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar

import torch
import torch.nn as nn

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.options import PluginOptions, format_validation_error, validate_options
from codesign.registry import Registry
from codesign.spaces.arch import ArchSpec
from codesign.workload import Workload
from codesign.workload.extract import extract_workload

__all__ = ["ARCH_PREFIX", "SPACES", "SearchSpace", "SpaceOptions", "create_space", "format_validation_error"]

ARCH_PREFIX = "arch."
#: Largest space ``SearchSpace.enumerate`` lists by default.
ENUMERATE_LIMIT = 1_000_000


class SpaceOptions(PluginOptions):
    """Options every space accepts; spaces subclass this to add theirs."""

    num_classes: int = 1000
    resolution: int = 224
    in_chans: int = 3


class SearchSpace(ABC):
    """A family of architectures. Subclasses set ``Options`` and implement the abstract methods."""

    Options: ClassVar[type[SpaceOptions]] = SpaceOptions

    def __init__(self, **options: Any) -> None:
        self.options = validate_options(self.Options, options, "space.options")

    @property
    def name(self) -> str:
        return getattr(type(self), "registry_name", type(self).__name__)

    # -- the space ----------------------------------------------------------------------------
    @abstractmethod
    def dimensions(self) -> list[Dimension]:
        """The searched dimensions (for listing and enumeration)."""

    def sample(self, trial: Any) -> ArchSpec:
        """Draw one architecture through an Optuna trial. The default samples every dimension
        independently; spaces with constraints override this."""
        genotype = {d.name: d.suggest(trial, ARCH_PREFIX) for d in self.dimensions()}
        return self.spec(genotype)

    def from_params(self, params: dict[str, Any]) -> ArchSpec:
        """The architecture of a finished trial, from its ``arch.*`` parameters."""
        genotype = {k[len(ARCH_PREFIX):]: v for k, v in params.items() if k.startswith(ARCH_PREFIX)}
        return self.spec(genotype)

    def size(self) -> int | None:
        """Number of architectures; ``None`` when infinite (a continuous dimension) or unknown.
        The default is the product of the dimensions' sizes (spaces with constraints override)."""
        sizes = [d.size for d in self.dimensions()]
        return math.prod(sizes) if sizes and None not in sizes else None  # type: ignore[arg-type]

    def enumerate(self) -> Iterator[ArchSpec] | None:
        """Every architecture, for finite spaces small enough to list; ``None`` otherwise.

        The default walks the product of categorical dimensions (at most ``ENUMERATE_LIMIT``
        combinations) and skips the combinations the space's key rejects (its constraints)."""
        dims = self.dimensions()
        if any(d.choices is None for d in dims) or math.prod(len(d.choices or ()) for d in dims) > ENUMERATE_LIMIT:
            return None
        names = [d.name for d in dims]

        def walk() -> Iterator[ArchSpec]:
            for values in itertools.product(*(d.choices or () for d in dims)):
                try:
                    yield self.spec(dict(zip(names, values, strict=True)))
                except ConfigError:
                    continue

        return walk()

    # -- keys -----------------------------------------------------------------------------------
    @abstractmethod
    def to_key(self, genotype: dict[str, Any]) -> str:
        """Canonical string of a genotype."""

    @abstractmethod
    def from_key(self, key: str) -> dict[str, Any]:
        """Genotype of a canonical string; a key outside the space raises ``ConfigError``."""

    def require(self, genotype: dict[str, Any]) -> None:
        """A ``ConfigError`` naming the dimensions ``genotype`` lacks, if any."""
        missing = [d.name for d in self.dimensions() if d.name not in genotype]
        if missing:
            raise ConfigError("arch", f"genotype lacks {', '.join(missing)}")

    def checked_key(self, key: str) -> str:
        """``key`` after parsing it (its constraints checked). Spaces whose ``to_key`` validates
        through ``from_key`` call this, so that ``spec`` reuses the parse instead of repeating it."""
        self._last_parsed = (key, self.from_key(key))
        return key

    def spec(self, genotype: dict[str, Any]) -> ArchSpec:
        """The architecture of ``genotype``: its canonical key, parsed once."""
        key = self.to_key(genotype)
        last = getattr(self, "_last_parsed", None)
        parsed = last[1] if last is not None and last[0] == key else self.from_key(key)
        return ArchSpec(space=self.name, key=key, genotype=parsed)

    def parse(self, key: str) -> ArchSpec:
        """Validate a key given by a user."""
        return ArchSpec(space=self.name, key=key, genotype=self.from_key(key))

    # -- models -------------------------------------------------------------------------------
    @abstractmethod
    def _build(self, arch: ArchSpec) -> nn.Module:
        """The torch model of ``arch`` (randomly initialised)."""

    def build(self, arch: ArchSpec, seed: int = 0) -> nn.Module:
        """The torch model with weights drawn from ``seed`` (no pretrained weights, ever)."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return self._build(arch)

    def input_shape(self, arch: ArchSpec) -> tuple[int, int, int]:
        """(channels, height, width) of one input image."""
        res = int(arch.genotype.get("resolution", self.options.resolution))
        return (self.options.in_chans, res, res)

    def workload(self, arch: ArchSpec, batch: int = 1, model: nn.Module | None = None) -> Workload:
        """The loop-nest layers of ``arch`` at batch ``batch``."""
        model = model if model is not None else self.build(arch)
        return extract_workload(model, self.input_shape(arch), batch=batch, name=arch.ref)

    def describe(self, arch: ArchSpec) -> str:
        """Short summary for tables (defaults to the key)."""
        return arch.key

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        """Extra files for an export bundle (name → text), e.g. a script that rebuilds the model."""
        return {}

    def model_script(self, arch: ArchSpec, tools: str, imports: str, build_body: str) -> str:
        """Text of a ``model.py`` that rebuilds ``arch`` (random weights) with ``tools`` alone:
        ``imports`` (module-level lines after torch's) and ``build_body`` (the indented body of
        ``build()``); running it prints the output shape and the parameter count."""
        c, h, w = self.input_shape(arch)
        return f'''"""Rebuild this architecture with {tools} (random weights): python model.py

{arch.key}
"""
import torch
import torch.nn as nn
{imports}


def build() -> nn.Module:
{build_body}


if __name__ == "__main__":
    model = build().eval()
    x = torch.zeros(1, {c}, {h}, {w})
    print(model(x).shape, sum(p.numel() for p in model.parameters()), "parameters")
'''


SPACES: Registry[SearchSpace] = Registry("search space", ("search_spaces",))


def create_space(name: str, options: dict[str, Any] | None = None) -> SearchSpace:
    """Instantiate a registered space with validated options."""
    return SPACES.get(name, field="space.name")(**(options or {}))
