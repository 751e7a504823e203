"""NASWOT and jacob_cov on one shared training-mode pass score exactly what separate passes
(the unfused computation: each its own copy, NASWOT's forward without gradients) score."""
from __future__ import annotations

import pytest
import torch

from codesign.proxies.base import PROXIES
from codesign.proxies.combination import RankCombination
from codesign.proxies.jacob_cov import JACOB_COV_K
from codesign.proxies.train_pass import ACTIVATIONS


def unfused_naswot(ctx) -> float:
    model = ctx.model()
    model.train()
    n = ctx.batch.inputs.shape[0]
    kernel = torch.zeros(n, n, dtype=torch.float64)

    def hook(module, args, output):
        codes = (args[0].detach() > 0).flatten(1).to(torch.float64)
        kernel.add_(codes @ codes.t() + (1.0 - codes) @ (1.0 - codes).t())

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, ACTIVATIONS)]
    with torch.no_grad():
        model(ctx.batch.inputs)
    for h in handles:
        h.remove()
    return float(torch.linalg.slogdet(kernel)[1])


def unfused_jacob_cov(ctx) -> float:
    model = ctx.model()
    model.train()
    x = ctx.batch.inputs.clone().requires_grad_(True)
    y = model(x)
    y.backward(torch.ones_like(y))
    eig = torch.linalg.eigvalsh(torch.corrcoef(x.grad.detach().flatten(1).double()))
    return float(-torch.sum(torch.log(eig + JACOB_COV_K) + 1.0 / (eig + JACOB_COV_K)))


@pytest.fixture
def ctxs(tiny_space):
    from tests.proxies.test_proxies import contexts

    return contexts(tiny_space, 4, seed=21)


def test_shared_pass_scores_equal_separate_passes(ctxs):
    combo = RankCombination(reference_size=4)
    for ctx in ctxs:
        combo._share_pass(ctx)
        naswot, jacob = PROXIES.create("naswot").compute(ctx), PROXIES.create("jacob_cov").compute(ctx)
        assert ctx.extras["_train_pass"][0] == {"codes", "jacobian"}  # one pass recorded both
        assert naswot == unfused_naswot(ctx) and jacob == unfused_jacob_cov(ctx)


def test_alone_each_proxy_scores_as_unfused(ctxs):
    for ctx in ctxs:
        assert PROXIES.create("naswot").compute(ctx) == unfused_naswot(ctx)
    for ctx in ctxs:
        fresh = type(ctx)(model_factory=ctx.model_factory, batch=ctx.batch)
        assert PROXIES.create("jacob_cov").compute(fresh) == unfused_jacob_cov(fresh)


def test_combination_runs_one_training_pass_per_architecture(ctxs, monkeypatch):
    import codesign.proxies.train_pass as tp

    calls = []
    original = tp.run_train_pass
    monkeypatch.setattr(tp, "run_train_pass", lambda *a: calls.append(1) or original(*a))
    combo = RankCombination(reference_size=4)
    combo.build_reference(ctxs)
    assert len(calls) == len(ctxs)
