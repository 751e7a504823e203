"""Every registered proxy: finite, deterministic, and failures reported, never raised."""
import math

import optuna
import pytest
import torch
import torch.nn as nn

from codesign.proxies.base import PROXIES, Proxy, ProxyContext, synthetic_batch

#: Options that keep slow proxies quick in tests.
TEST_OPTIONS = {"train": {"steps": 5, "eval_images": 64}, "combo": {"reference_size": 4}}


def contexts(space, n, seed=3):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(n):
        arch = space.sample(study.ask())
        batch = synthetic_batch(space.input_shape(arch), 8, 10, seed=0)
        out.append(ProxyContext(model_factory=lambda a=arch: space.build(a, seed=0), batch=batch,
                                workload_factory=lambda a=arch: space.workload(a)))
    return out


@pytest.mark.parametrize("name", PROXIES.names())
def test_proxy_is_finite_and_deterministic(name, tiny_space):
    proxy = PROXIES.create(name, **TEST_OPTIONS.get(name, {}))
    if getattr(proxy, "needs_reference", False):
        proxy.build_reference(contexts(tiny_space, 4, seed=11))
    context = contexts(tiny_space, 1)[0]
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
    for name in ("naswot", "synflow", "grad_norm", "snip", "fisher", "jacob_cov", "zico"):
        score = PROXIES.create(name).score(ctx)
        assert not score.ok and score.value is None, name


def test_non_finite_values_are_rejected():
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


def test_bad_options_are_type_errors():
    with pytest.raises(TypeError):
        PROXIES.create("zico", splits=1)
    with pytest.raises(TypeError):
        PROXIES.create("combo", components=[])
    with pytest.raises(TypeError):
        PROXIES.create("train", data="synthetic")
    with pytest.raises(TypeError):
        PROXIES.create("naswot", colour="red")


@pytest.mark.parametrize("options,needle", [
    ({"data": "cifar"}, "data: unknown source 'cifar'"),
    ({"data": "folder"}, "data_path: the folder source needs data_path"),
])
def test_train_data_options_are_checked_when_built(options, needle):
    with pytest.raises(TypeError, match=needle):
        PROXIES.create("train", **options)
