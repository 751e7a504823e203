"""Stage sets: the named evaluations an experiment chooses with ``evaluator.name``.

``model`` (the default) builds and traces the network, scores its proxy and costs it on the
accelerator; ``synthetic`` (analytic scores, for engine tests and overhead measurements) and
``table`` (precomputed scores, for strategy benchmarks) are one stage each. ``evaluator.options``
go to the set's ``options_stage`` (none for ``model``, whose stages read their own sections).
A plugin adds a set the same way: a subclass registered in ``STAGE_SETS``."""
from __future__ import annotations

from typing import ClassVar

from codesign.registry import Registry


class StageSet:
    """A named list of stages (registry names, in order)."""

    stages: ClassVar[tuple[str, ...]] = ()
    #: The stage that receives ``evaluator.options`` (``None``: the set takes none).
    options_stage: ClassVar[str | None] = None


STAGE_SETS: Registry[StageSet] = Registry("evaluator", ("codesign.search.stages.sets",))


@STAGE_SETS.register("model")
class ModelSet(StageSet):
    """Build and trace the network, score its proxy, cost it on the accelerator."""

    stages = ("network", "proxy", "cost")


@STAGE_SETS.register("synthetic")
class SyntheticSet(StageSet):
    """Analytic scores in microseconds, with faults on demand (engine tests and overhead)."""

    stages = ("synthetic",)
    options_stage = "synthetic"


@STAGE_SETS.register("table")
class TableSet(StageSet):
    """Scores looked up in a precomputed table (strategy benchmarks)."""

    stages = ("table",)
    options_stage = "table"
