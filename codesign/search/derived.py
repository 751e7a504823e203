"""Metrics derived from other metrics, computed in one place for every pipeline: after the
stages ran, each derived metric whose inputs are known and that no stage produced is added."""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from codesign.search.metrics import EDP, ENERGY, LATENCY, POWER, Metric, Metrics


@dataclass(frozen=True)
class Derived:
    """``metric = formula(*inputs)``; undefined (``None``) when an input is missing or the formula
    divides by zero."""

    metric: Metric
    inputs: tuple[Metric, ...]
    formula: Callable[..., float]


DERIVED: tuple[Derived, ...] = (
    Derived(EDP, (ENERGY, LATENCY), lambda energy, latency: energy * latency),
    Derived(POWER, (ENERGY, LATENCY), lambda energy, latency: energy / latency),
)


def derivable(produced: Collection[str]) -> list[Metric]:
    """The derived metrics available when the stages produce the metrics named ``produced``."""
    return [d.metric for d in DERIVED if d.metric.name not in produced
            and all(m.name in produced for m in d.inputs)]


def add_derived(metrics: Metrics) -> None:
    """Add every derived metric ``metrics`` lacks (``None`` when its inputs are unknown)."""
    for d in DERIVED:
        if d.metric.name in metrics or not all(m.name in metrics for m in d.inputs):
            continue
        args = [metrics.value(m.name) for m in d.inputs]
        try:
            value = None if None in args else d.formula(*args)
        except ZeroDivisionError:
            value = None
        metrics.set(d.metric, value)
