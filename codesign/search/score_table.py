"""``ScoreTable``: precomputed scores of a table of architectures x accelerators (read by the
``table`` stage, ``codesign/search/stages/table.py``, and the ``table`` search space).

A benchmark space small enough to enumerate (NAS-Bench-201 architectures x a grid of systolic
arrays, say) is scored once, offline, and saved as a ``ScoreTable``; a search over it then costs
microseconds per trial, so strategies can be compared over many seeds against the exhaustive
front (``benchmarks/search_quality.py``). Pair it with the ``table`` search space
(``search_spaces/table.py``), which samples the table's architectures.

File format (``.npz``, no pickles): ``meta`` (a JSON string: ``arch_dims`` name → choices,
``arch_metrics`` and ``pair_metrics`` names, ``hw_params`` names, ``hw_fixed`` parameters,
``hw_grid`` rows of values, ``sources``), ``arch_keys`` [A], ``arch_codes`` [A, D] (choice index
per dimension), ``arch_values`` [A, M] and ``pair_values`` [A, H, P] (NaN where unknown, as the
latency of a design that does not map). ``pair_metrics`` must include ``unmapped_fraction``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from codesign.errors import ConfigError


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one load shared per process
class ScoreTable:
    """Precomputed metrics of every (architecture, accelerator) pair; see the module docstring."""

    meta: dict[str, Any]
    arch_keys: np.ndarray
    arch_codes: np.ndarray
    arch_values: np.ndarray
    pair_values: np.ndarray

    @property
    def arch_metrics(self) -> list[str]:
        return list(self.meta["arch_metrics"])

    @property
    def pair_metrics(self) -> list[str]:
        return list(self.meta["pair_metrics"])

    @property
    def hw_params(self) -> list[str]:
        return list(self.meta["hw_params"])

    @property
    def arch_dims(self) -> dict[str, list[Any]]:
        return {k: list(v) for k, v in self.meta["arch_dims"].items()}

    def arch_index(self) -> dict[str, int]:
        return _arch_index(self)

    def hw_index(self) -> dict[tuple[Any, ...], int]:
        return _hw_index(self)

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, meta=np.array(json.dumps(self.meta)), arch_keys=self.arch_keys,
                            arch_codes=self.arch_codes, arch_values=self.arch_values, pair_values=self.pair_values)


@lru_cache(maxsize=8)
def _arch_index(table: ScoreTable) -> dict[str, int]:
    return {str(k): i for i, k in enumerate(table.arch_keys)}


@lru_cache(maxsize=8)
def _hw_index(table: ScoreTable) -> dict[tuple[Any, ...], int]:
    return {tuple(row): i for i, row in enumerate(table.meta["hw_grid"])}


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ScoreTable:
    with np.load(path, allow_pickle=False) as data:
        return ScoreTable(meta=json.loads(str(data["meta"])), arch_keys=data["arch_keys"],
                          arch_codes=data["arch_codes"], arch_values=data["arch_values"],
                          pair_values=data["pair_values"])


def load_table(path: str | Path, where: str = "table") -> ScoreTable:
    """The table at ``path`` (loaded once per process)."""
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise ConfigError(where, f"score table not found: {path}")
    try:
        return _load(path, os.path.getmtime(path))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(where, f"{path} is not a score table ({exc})") from None
