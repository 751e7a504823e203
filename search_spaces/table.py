"""The architectures of a precomputed score table (``codesign/search/score_table.py``), for
benchmarking search strategies on a space that has been scored exhaustively.

The dimensions are the table's (for NAS-Bench-201: the 6 cell edges, 5 operations each); the
networks are those of the space the table was made from (``meta["space"]``, e.g. ``nb201``), so a
design found on a table exports and re-scores like any other. A table
usually lists a subset of the genotypes (725 of NAS-Bench-201's 15,625 have published proxy
scores), so a sampled genotype is mapped to the nearest listed architecture: the fewest differing
dimensions, ties to the lowest table index. The trial keeps the sampled parameters (what the
sampler chose); its result records the architecture scored. The mapping is a fixed function of
the parameters, so every strategy faces the same landscape, random included.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch.nn as nn

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.search.score_table import ScoreTable, load_table
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import ARCH_PREFIX, SPACES, SearchSpace, SpaceOptions
from codesign.workload import Workload


class TableOptions(SpaceOptions):
    table: str


@SPACES.register("table")
class TableSpace(SearchSpace):
    """Architectures listed in a score table; a genotype outside it maps to the nearest listed one."""

    Options = TableOptions
    options: TableOptions

    def __init__(self, **options: Any) -> None:
        if options.get("table") is None:
            raise ConfigError("space.options.table", "required: the score table file")
        self.table: ScoreTable = load_table(options["table"], "space.options.table")
        self._dims = self.table.arch_dims
        self._index = self.table.arch_index()
        self.source: SearchSpace | None = None
        if self.table.meta.get("space"):
            from codesign.spaces.base import create_space

            self.source = create_space(self.table.meta["space"], self.table.meta.get("space_options", {}))
            source = self.source.options
            options = {"num_classes": source.num_classes, "resolution": source.resolution,
                       "in_chans": source.in_chans, **options}
        super().__init__(**options)

    def dimensions(self) -> list[Dimension]:
        return [Dimension(name, choices=tuple(choices)) for name, choices in self._dims.items()]

    def size(self) -> int:
        return len(self.table.arch_keys)

    def nearest(self, genotype: dict[str, Any]) -> int:
        """Table index of the listed architecture closest to ``genotype``."""
        try:
            codes = np.array([choices.index(genotype[name]) for name, choices in self._dims.items()])
        except (KeyError, ValueError):
            raise ConfigError("arch", f"genotype {genotype} is outside the table's dimensions") from None
        distance = (self.table.arch_codes != codes).sum(axis=1)
        return int(np.argmin(distance))  # argmin takes the first (lowest index) of equals

    def _at(self, index: int) -> ArchSpec:
        key = str(self.table.arch_keys[index])
        genotype = {name: choices[int(c)] for (name, choices), c in zip(self._dims.items(), self.table.arch_codes[index],
                                                                        strict=True)}
        return ArchSpec(space=self.name, key=key, genotype=genotype)

    def sample(self, trial: Any) -> ArchSpec:
        genotype = {d.name: d.suggest(trial, ARCH_PREFIX) for d in self.dimensions()}
        return self._at(self.nearest(genotype))

    def from_params(self, params: dict[str, Any]) -> ArchSpec:
        genotype = {k[len(ARCH_PREFIX):]: v for k, v in params.items() if k.startswith(ARCH_PREFIX)}
        return self._at(self.nearest(genotype))

    def enumerate(self) -> Iterator[ArchSpec]:
        return (self._at(i) for i in range(len(self.table.arch_keys)))

    def to_key(self, genotype: dict[str, Any]) -> str:
        arch = self._at(self.nearest(genotype))
        if arch.genotype != {k: genotype.get(k) for k in arch.genotype}:
            raise ConfigError("arch", f"genotype {genotype} is not listed in the table")
        return arch.key

    def from_key(self, key: str) -> dict[str, Any]:
        if key not in self._index:
            raise ConfigError("arch", f"{key!r} is not listed in the table {self.options.table}")
        return self._at(self._index[key]).genotype

    # -- networks: the source space's ------------------------------------------------------------
    def _source(self, arch: ArchSpec) -> tuple[SearchSpace, ArchSpec]:
        if self.source is None:
            raise ConfigError("space", "this table names no source space (meta['space']): it holds scores, "
                                       "not networks")
        return self.source, self.source.parse(arch.key)

    def _build(self, arch: ArchSpec) -> nn.Module:
        source, own = self._source(arch)
        return source._build(own)

    def input_shape(self, arch: ArchSpec) -> tuple[int, int, int]:
        source, own = self._source(arch)
        return source.input_shape(own)

    def workload(self, arch: ArchSpec, batch: int = 1, model: nn.Module | None = None) -> Workload:
        source, own = self._source(arch)
        return source.workload(own, batch=batch, model=model)

    def describe(self, arch: ArchSpec) -> str:
        return self.source.describe(self.source.parse(arch.key)) if self.source is not None else arch.key

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        source, own = self._source(arch)
        return source.export_files(own)
