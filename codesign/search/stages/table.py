"""``table``: the metrics of a candidate looked up in a precomputed ``ScoreTable``
(``codesign/search/score_table.py``), for benchmarking strategies in microseconds per trial. Pair
it with the ``table`` search space. Options: ``table`` (the file), ``proxy`` (the architecture
column reported as ``proxy``)."""
from __future__ import annotations

import math
from typing import Any

from pydantic import model_validator

from codesign.options import PluginOptions
from codesign.search.metrics import AREA, ENERGY, LATENCY, METRICS, PROXY, UNMAPPED
from codesign.search.score_table import ScoreTable, load_table
from codesign.search.stages.base import STAGES, Stage, StageResult, Upstream


class TableOptions(PluginOptions):
    #: The score table file (``.npz``).
    table: str
    #: The architecture column reported as ``proxy``.
    proxy: str | None = None

    @model_validator(mode="after")
    def _columns(self) -> TableOptions:
        table = load_table(self.table, "evaluator.options.table")
        if self.proxy is not None and self.proxy not in table.arch_metrics:
            raise ValueError(f"proxy: unknown column {self.proxy!r} (known: {', '.join(table.arch_metrics)})")
        return self


@STAGES.register("table")
class TableStage(Stage):
    """Metrics of a candidate read from a ``ScoreTable``."""

    Options = TableOptions
    options: TableOptions
    produces = (PROXY, LATENCY, ENERGY, AREA, UNMAPPED)
    needs_parts = ("arch", "hw")

    def __init__(self, options: TableOptions, subspaces: Any) -> None:
        super().__init__(options, subspaces)
        self.table: ScoreTable = load_table(options.table, "evaluator.options.table")
        self._arch_index = self.table.arch_index()
        self._hw_index = self.table.hw_index()
        self._columns = {m.key: m for m in METRICS.values()}

    def run(self, candidate: Any, upstream: Upstream) -> StageResult:
        a = self._arch_index.get(candidate.part("arch").key)
        params = candidate.part("hw").to_params()
        h = self._hw_index.get(tuple(params.get(name) for name in self.table.hw_params))
        if a is None or h is None:
            raise LookupError(f"the score table has no such {'architecture' if a is None else 'accelerator'}")
        columns: dict[str, float | None] = {name: float(v) for name, v in zip(
            self.table.arch_metrics, self.table.arch_values[a], strict=True)}
        for name, v in zip(self.table.pair_metrics, self.table.pair_values[a, h], strict=True):
            columns[name] = float(v) if math.isfinite(v) else None
        values: dict[str, float | None] = {m.name: columns.get(m.key) for m in self.produces if m is not PROXY}
        values[PROXY.name] = columns.get(self.options.proxy) if self.options.proxy else None
        extras = {k: v for k, v in columns.items() if k not in self._columns}
        feasible = columns.get(UNMAPPED.key) == 0.0
        reasons = [] if feasible else ["the table marks this pair unmappable"]
        return StageResult(values=values, extras=extras, feasible=feasible, reasons=reasons)
