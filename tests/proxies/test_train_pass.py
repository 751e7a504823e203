"""NASWOT and jacob_cov on one shared training-mode pass score exactly what separate passes
(the unfused computation: each its own copy, NASWOT's forward without gradients, the kernel as
two float64 products, every weight gradient computed) score."""
from __future__ import annotations

import pytest
import torch

from codesign.proxies.base import PROXIES
from codesign.proxies.combination import RankCombination
from codesign.proxies.jacob_cov import JACOB_COV_K
from codesign.proxies.train_pass import (
    ACTIVATIONS,
    CODES,
    JACOBIAN,
    code_kernel,
    gram_dtype,
    positive_codes,
    run_train_pass,
)


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


def two_products_kernel(codes: torch.Tensor) -> torch.Tensor:
    """The kernel as NASWOT's authors write it: two float64 products."""
    c = codes.to(torch.float64)
    return c @ c.t() + (1.0 - c) @ (1.0 - c).t()


@pytest.mark.parametrize("inputs,features,density", [(16, 1, 0.5), (16, 37, 0.5), (3, 5000, 0.9),
                                                     (16, 200_003, 0.5), (16, 200_003, 0.02), (1, 64, 0.5)])
def test_code_kernel_equals_two_float64_products(inputs, features, density):
    gen = torch.Generator().manual_seed(features)
    codes = torch.rand(inputs, features, generator=gen) < density
    assert torch.equal(code_kernel(codes), two_products_kernel(codes))


@pytest.mark.parametrize("fill", [True, False])
def test_code_kernel_of_constant_codes_counts_every_feature(fill):
    codes = torch.full((4, 1000), fill)
    assert torch.equal(code_kernel(codes), two_products_kernel(codes))
    assert code_kernel(codes).unique().tolist() == [1000.0]


def test_gram_in_float32_only_where_it_is_exact():
    assert gram_dtype(2 ** 24 - 1) == torch.float32 and gram_dtype(2 ** 24) == torch.float64
    precision = torch.get_float32_matmul_precision()
    try:
        torch.set_float32_matmul_precision("medium")  # products may then use bfloat16 internally
        assert gram_dtype(10) == torch.float64
    finally:
        torch.set_float32_matmul_precision(precision)


def test_code_kernel_in_float64_equals_two_float64_products(monkeypatch):
    import codesign.proxies.train_pass as tp

    monkeypatch.setattr(tp, "FLOAT32_EXACT_INTEGERS", 1000)  # a small case takes the float64 path
    codes = torch.rand(8, 3000, generator=torch.Generator().manual_seed(5)) < 0.5
    assert tp.gram_dtype(codes.shape[1]) == torch.float64
    assert torch.equal(code_kernel(codes), two_products_kernel(codes))


@pytest.mark.parametrize("exact_below", [None, 10])
def test_positive_codes_are_the_comparison_in_the_product_dtype(monkeypatch, exact_below):
    import codesign.proxies.train_pass as tp

    if exact_below is not None:  # the float64 path
        monkeypatch.setattr(tp, "FLOAT32_EXACT_INTEGERS", exact_below)
    values = torch.randn(4, 3, 5, 6, generator=torch.Generator().manual_seed(2))
    values[0, 0, 0, :3] = torch.tensor([0.0, -0.0, float("nan")])
    values = values.transpose(2, 3)  # a non-contiguous activation input
    codes = positive_codes(values)
    assert codes.dtype == tp.gram_dtype(values[0].numel()) and codes.shape == (4, 90)
    assert torch.equal(codes, (values > 0).flatten(1).to(codes.dtype))
    assert torch.equal(code_kernel(codes), two_products_kernel(values.flatten(1) > 0))


def test_pass_leaves_the_weights_trainable(ctxs):
    model = ctxs[0].model()
    frozen = next(model.parameters())
    frozen.requires_grad_(False)  # a flag the pass found off stays off
    run_train_pass(model, ctxs[0].batch.inputs, frozenset({CODES, JACOBIAN}))
    flags = [p.requires_grad for p in model.parameters()]
    assert flags[0] is False and all(flags[1:])
    assert all(p.grad is None for p in model.parameters())  # no weight gradient was computed
