import numpy as np
import pytest
from scipy.stats import spearmanr

from codesign.proxies.combination import RankCombination, percentile


def test_percentile_is_monotone_continuous_and_bounded():
    ref = [1.0, 2.0, 2.0, 4.0]
    xs = np.linspace(-10, 20, 301)
    ps = [percentile(x, ref) for x in xs]
    assert all(0 < p < 1 for p in ps)
    assert all(b >= a for a, b in zip(ps, ps[1:], strict=False))
    assert percentile(1.0, ref) == pytest.approx(0.125)
    assert percentile(2.0, ref) == pytest.approx(0.5)   # ties share the mean quantile
    assert percentile(4.0, ref) == pytest.approx(0.875)
    assert percentile(3.0, ref) == pytest.approx((0.5 + 0.875) / 2)
    assert percentile(-10, ref) < percentile(0.0, ref) < percentile(1.0, ref)


def test_combination_of_one_component_keeps_its_order(tiny_space):
    from tests.proxies.test_proxies import contexts

    combo = RankCombination(components=["naswot"], reference_size=4)
    combo.build_reference(contexts(tiny_space, 4, seed=11))
    ctxs = contexts(tiny_space, 6, seed=12)
    from codesign.proxies.base import PROXIES

    raw = [PROXIES.create("naswot").compute(c) for c in ctxs]
    combined = [combo.compute(c) for c in ctxs]
    assert spearmanr(raw, combined).statistic == pytest.approx(1.0)


def test_combination_averages_percentiles(tiny_space):
    from tests.proxies.test_proxies import contexts

    combo = RankCombination(components=["synflow", "naswot"], reference_size=4)
    reference = combo.build_reference(contexts(tiny_space, 4, seed=11))
    ctx = contexts(tiny_space, 1, seed=13)[0]
    from codesign.proxies.base import PROXIES

    expected = np.mean([percentile(PROXIES.create(n).compute(ctx), reference[n]) for n in ("synflow", "naswot")])
    assert combo.compute(ctx) == pytest.approx(expected)
    # A stored reference reproduces the score without recomputing it.
    again = RankCombination(components=["synflow", "naswot"], reference=reference)
    assert not again.needs_reference and again.compute(ctx) == combo.compute(ctx)
