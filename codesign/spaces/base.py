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
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.registry import Registry
from codesign.spaces.arch import ArchSpec
from codesign.workload import Workload
from codesign.workload.extract import extract_workload

ARCH_PREFIX = "arch."
#: Largest space ``SearchSpace.enumerate`` lists by default.
ENUMERATE_LIMIT = 1_000_000


#: Largest magnitude of an integer in a config or space option (exact in a float64).
MAX_CONFIG_INT = 2**53


def check_int_magnitude(value: Any) -> Any:
    """``value`` unchanged, unless it is (or a list holds) an integer beyond ``MAX_CONFIG_INT``:
    no option is meant to be that large, and one that is would overflow the tensors built from it."""
    items = value if isinstance(value, (list, tuple)) else (value,)
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_CONFIG_INT:
            raise ValueError(f"out of range (|value| <= 2**53), got an integer of {len(str(abs(item)))} digits")
    return value


class SpaceOptions(BaseModel):
    """Options every space accepts; spaces subclass this to add theirs."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _bounded_ints(cls, value: Any) -> Any:
        return check_int_magnitude(value)

    num_classes: int = 1000
    resolution: int = 224
    in_chans: int = 3


def format_validation_error(exc: ValidationError, where: str) -> ConfigError:
    """First pydantic error as a one-line ``ConfigError`` naming the field."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    field = f"{where}.{loc}" if where and loc else (where or loc)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required"
    return ConfigError(field, msg)


class SearchSpace(ABC):
    """A family of architectures. Subclasses set ``Options`` and implement the abstract methods."""

    Options: ClassVar[type[SpaceOptions]] = SpaceOptions

    def __init__(self, **options: Any) -> None:
        try:
            self.options = self.Options(**options)
        except ValidationError as exc:
            raise format_validation_error(exc, "space.options") from None

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

    def spec(self, genotype: dict[str, Any]) -> ArchSpec:
        key = self.to_key(genotype)
        return ArchSpec(space=self.name, key=key, genotype=self.from_key(key))

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
