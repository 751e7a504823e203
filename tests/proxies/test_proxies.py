"""Every registered proxy: finite, deterministic, and failures reported, never raised."""
import math

import optuna
import pytest
import torch
import torch.nn as nn

from codesign.proxies.base import PROXIES, ProxyContext, synthetic_batch


@pytest.fixture
def context(tiny_space):
    arch = tiny_space.sample(optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3)).ask())
    batch = synthetic_batch(tiny_space.input_shape(arch), 8, 10, seed=0)
    return ProxyContext(model_factory=lambda: tiny_space.build(arch, seed=0), batch=batch,
                        workload_factory=lambda: tiny_space.workload(arch))


@pytest.mark.parametrize("name", PROXIES.names())
def test_proxy_is_finite_and_deterministic(name, context):
    proxy = PROXIES.create(name)
    first, second = proxy.score(context), proxy.score(context)
    assert first.ok, first.error
    assert math.isfinite(first.value)
    assert first.value == second.value
    assert proxy.direction in ("maximize", "minimize")


def test_failures_become_reasons_not_exceptions():
    class Exploding(nn.Module):
        def __init__(self):
            super().__init__()
            self.act = nn.ReLU()

        def forward(self, x):
            raise RuntimeError("boom")

    ctx = ProxyContext(model_factory=Exploding, batch=synthetic_batch((3, 8, 8), 4, 2))
    score = PROXIES.create("naswot").score(ctx)
    assert not score.ok and "boom" in score.error


def test_non_finite_values_are_rejected():
    from codesign.proxies.base import Proxy

    class NaNProxy(Proxy):
        def compute(self, ctx):
            return float("nan")

    score = NaNProxy().score(ProxyContext(model_factory=nn.Identity, batch=synthetic_batch((1, 2, 2), 2, 2)))
    assert not score.ok and "non-finite" in score.error


def test_naswot_needs_relu_like_units():
    ctx = ProxyContext(model_factory=lambda: nn.Sequential(nn.Flatten(), nn.Linear(12, 2)),
                       batch=synthetic_batch((3, 2, 2), 4, 2))
    score = PROXIES.create("naswot").score(ctx)
    assert not score.ok and "ReLU" in score.error


def test_synthetic_batch_is_seeded():
    a, b = synthetic_batch((3, 4, 4), 2, 5, seed=7), synthetic_batch((3, 4, 4), 2, 5, seed=7)
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.targets, b.targets)
