"""Proxies that change no weight borrow the built model instead of a copy (synflow through
float64 stand-ins for its weights, the shared training pass in place): they score exactly what
the copy-based computation scores, in any order, and leave the model as built."""
from __future__ import annotations

import copy

import pytest
import torch

from codesign.proxies.base import PROXIES, ProxyContext
from codesign.proxies.combination import RankCombination
from tests.proxies.test_train_pass import unfused_jacob_cov, unfused_naswot


def copied_synflow(ctx) -> float:
    """SynFlow on a float64 copy of the model whose weights are made absolute in place."""
    model = ctx.model().double()
    model.eval()
    with torch.no_grad():
        for p in model.parameters():
            p.abs_()
    ones = torch.ones((1, *ctx.batch.inputs.shape[1:]), dtype=torch.float64)
    model(ones).sum().backward()
    with torch.no_grad():
        total = sum((p * p.grad).abs().sum() for p in model.parameters() if p.grad is not None)
        return float(torch.log(total))


def state(model: torch.nn.Module) -> tuple:
    return ([(k, v.clone()) for k, v in model.state_dict().items()], [m.training for m in model.modules()],
            [(p.requires_grad, p.grad) for p in model.parameters()])


def same_state(a: tuple, b: tuple) -> bool:
    return (all(ka == kb and torch.equal(va, vb) for (ka, va), (kb, vb) in zip(a[0], b[0], strict=True))
            and a[1] == b[1] and a[2] == b[2])


@pytest.fixture
def lent(tiny_space):
    """Contexts holding their built model, as the proxy stage makes them."""
    from tests.proxies.test_proxies import contexts

    out = []
    for ctx in contexts(tiny_space, 3, seed=8):
        model = ctx.model()
        out.append(ProxyContext(model_factory=lambda m=model: copy.deepcopy(m), batch=ctx.batch, built=model))
    return out


@pytest.mark.parametrize("order", [("synflow", "naswot", "jacob_cov"), ("naswot", "jacob_cov", "synflow")])
def test_borrowing_scores_equal_copies_in_any_order(lent, order):
    unfused = {"synflow": copied_synflow, "naswot": unfused_naswot, "jacob_cov": unfused_jacob_cov}
    combo = RankCombination(components=list(order), reference_size=4)
    for ctx in lent:
        before = state(ctx.built)
        combo._share_pass(ctx)
        scores = {name: PROXIES.create(name).compute(ctx) for name in order}
        assert same_state(state(ctx.built), before)  # the built model is left as it was
        assert scores == {name: unfused[name](ctx) for name in order}


def test_a_borrowed_model_gets_back_what_a_pass_changed(lent):
    model = lent[0].built
    before = state(model)
    with lent[0].borrowed_model() as borrowed:
        assert borrowed is model
        borrowed.train()
        borrowed(lent[0].batch.inputs).sum().backward()  # BatchNorm statistics and gradients change
        for p in borrowed.parameters():
            p.requires_grad_(False)
        assert not same_state(state(model), before)
    assert same_state(state(model), before)


def test_without_a_built_model_a_copy_is_lent(lent):
    ctx = ProxyContext(model_factory=lent[0].model_factory, batch=lent[0].batch)
    with ctx.borrowed_model() as model:
        assert model is not lent[0].built
