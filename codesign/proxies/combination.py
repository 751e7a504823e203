"""Rank combination of several proxies: the default accuracy estimate.

Single zero-cost proxies barely beat counting parameters, but they err on different
architectures; averaging their *ranks* cancels part of that (Abdelfattah et al., ICLR 2021, Sec. 5;
on NAS-Bench-201 CIFAR-10, NASLib's own synflow, NASWOT and jacob_cov scores give Spearman 0.76,
0.79 and 0.77 alone and 0.88 as a rank average — docs/proxies.md).

A search needs a number per architecture, not a rank within a finished population, so each
component score is turned into its percentile among the scores of a fixed reference sample of the
space (``reference_size`` architectures drawn from the run's seed), and the percentiles are
averaged. Percentiles are interpolated between reference scores and squashed smoothly beyond them,
so the combination is continuous, strictly monotone in every component and stays in (0, 1).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from codesign.proxies.base import PROXIES, Proxy, ProxyContext, ProxyOptionsError, create_proxy

DEFAULT_COMPONENTS = ("synflow", "naswot", "jacob_cov")
DEFAULT_REFERENCE_SIZE = 32


def percentile(value: float, reference: Sequence[float]) -> float:
    """Position of ``value`` among sorted ``reference`` scores, in (0, 1), continuous and monotone."""
    ref = np.sort(np.asarray(reference, dtype=float))
    n = len(ref)
    quantiles = (np.arange(n) + 0.5) / n
    span = float(ref[-1] - ref[0]) or max(abs(float(ref[0])), 1.0)
    if value < ref[0]:
        return float(quantiles[0] * np.exp(-(ref[0] - value) / span))
    if value > ref[-1]:
        return float(1.0 - (1.0 - quantiles[-1]) * np.exp(-(value - ref[-1]) / span))
    # Equal reference scores share the mean of their quantiles.
    unique, inverse = np.unique(ref, return_inverse=True)
    mean_q = np.bincount(inverse, weights=quantiles) / np.bincount(inverse)
    return float(np.interp(value, unique, mean_q))


@PROXIES.register("combo")
class RankCombination(Proxy):
    """Mean percentile of ``components`` against a reference sample of the space."""

    direction = "maximize"

    #: Its own options; every other key must be a component's name, holding that proxy's options.
    OWN_OPTIONS = ("components", "reference_size", "reference")

    def __init__(self, **options: Any) -> None:
        components, reference_size, reference, component_options = self._checked(options, "proxy.options")
        self.options = options
        self.components = components
        self.proxies = {name: create_proxy(name, component_options.get(name), f"proxy.options.{name}")
                        for name in components}
        self.reference_size = reference_size
        self.reference = reference

    @classmethod
    def check_options(cls, raw: Any, where: str) -> Any:
        cls._checked(raw, where)
        return raw

    @classmethod
    def _checked(cls, raw: Any, where: str) -> tuple[tuple[str, ...], int, dict[str, list[float]] | None, dict[str, Any]]:
        """(components, reference_size, reference, per-component options), each checked; errors
        name the dotted field and the value."""
        if not isinstance(raw, dict):
            raise ProxyOptionsError(where, f"expected a mapping of options, got {raw!r}")
        components = raw.get("components", DEFAULT_COMPONENTS)
        if isinstance(components, str) or not isinstance(components, (list, tuple)) or not components:
            raise ProxyOptionsError(f"{where}.components", f"needs a list of at least one proxy, got {components!r}")
        known = PROXIES.names()
        for i, name in enumerate(components):
            if name == "combo":
                raise ProxyOptionsError(f"{where}.components[{i}]", "combo cannot contain itself")
            if name not in known:
                raise ProxyOptionsError(f"{where}.components[{i}]", f"unknown proxy {name!r} "
                                                                      f"(known: {', '.join(n for n in known if n != 'combo')})")
        size = raw.get("reference_size", DEFAULT_REFERENCE_SIZE)
        if isinstance(size, bool) or not isinstance(size, int) or size < 2:
            raise ProxyOptionsError(f"{where}.reference_size", f"must be an integer >= 2, got {size!r}")
        component_options = {k: v for k, v in raw.items() if k not in cls.OWN_OPTIONS}
        for key, value in component_options.items():
            if key not in components:
                raise ProxyOptionsError(f"{where}.{key}", "unknown key (known: "
                                        f"{', '.join(cls.OWN_OPTIONS)}, or a component: {', '.join(components)})")
            PROXIES.get(key).check_options(value, f"{where}.{key}")
        reference = raw.get("reference")
        if reference is not None:
            missing = [c for c in components if not isinstance(reference, dict) or len(reference.get(c, ())) < 2]
            if missing:
                raise ProxyOptionsError(f"{where}.reference", f"lacks scores for {', '.join(missing)}")
        return tuple(components), size, reference, component_options

    @property
    def needs_reference(self) -> bool:
        return self.reference is None

    def _share_pass(self, ctx: ProxyContext) -> ProxyContext:
        """Announce the components' training-pass needs, so NASWOT and jacob_cov share one pass."""
        needs = frozenset().union(*(getattr(p, "train_pass_needs", frozenset()) for p in self.proxies.values()))
        ctx.extras["train_pass_needs"] = needs
        return ctx

    def component_scores(self, ctx: ProxyContext) -> dict[str, float | None]:
        """Every component's score of one architecture (``None`` where it failed)."""
        self._share_pass(ctx)
        return {name: proxy.score(ctx).value for name, proxy in self.proxies.items()}

    def build_reference(self, contexts: Iterable[ProxyContext]) -> dict[str, list[float]]:
        """Score every reference architecture with every component (failed scores are skipped)."""
        return self.set_reference(map(self.component_scores, contexts))

    def set_reference(self, rows: Iterable[dict[str, float | None]]) -> dict[str, list[float]]:
        """The reference from ``component_scores`` of each reference architecture, in order
        (failed scores are skipped)."""
        scores: dict[str, list[float]] = {name: [] for name in self.components}
        for row in rows:
            for name in self.components:
                value = row.get(name)
                if value is not None:
                    scores[name].append(value)
        short = [name for name, values in scores.items() if len(values) < 2]
        if short:
            raise ValueError(f"too few reference scores for {', '.join(short)}")
        self.reference = scores
        return scores

    def combine(self, scores: Mapping[str, float]) -> float:
        """The combination of one architecture's component ``scores``: the mean of their
        percentiles against the reference (turned round for components to minimise)."""
        if self.reference is None:
            raise RuntimeError("combo has no reference scores (the evaluator prepares them)")
        parts = []
        for name, proxy in self.proxies.items():
            p = percentile(scores[name], self.reference[name])
            parts.append(p if proxy.direction == "maximize" else 1.0 - p)
        return float(np.mean(parts))

    def compute(self, ctx: ProxyContext) -> float:
        if self.reference is None:
            raise RuntimeError("combo has no reference scores (the evaluator prepares them)")
        self._share_pass(ctx)
        scores = {}
        for name, proxy in self.proxies.items():
            result = proxy.score(ctx)
            if not result.ok:
                raise ValueError(f"component {name} failed: {result.error}")
            scores[name] = result.value
        return self.combine(scores)
