"""Each proxy against its definition, on networks small enough to compute the answer independently."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from codesign.proxies.base import PROXIES, ProxyBatch, ProxyContext


def context(model_factory, inputs, targets, classes=3):
    return ProxyContext(model_factory=model_factory, batch=ProxyBatch(inputs, targets, classes))


def two_linear(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 3, bias=False), nn.Linear(3, 2, bias=False))


def test_synflow_conserves_flow_per_layer():
    """For a linear network, sum |theta * dR/dtheta| over each layer equals R = 1^T |W2| |W1| 1, so the
    score is log(2R) for two layers (Tanaka et al. 2020, Theorem 1)."""
    model = two_linear()
    w1, w2 = (m.weight.detach().abs().double() for m in model)
    r = float(torch.ones(1, 2, dtype=torch.float64) @ w2 @ w1 @ torch.ones(4, 1, dtype=torch.float64))
    ctx = context(lambda: two_linear(), torch.randn(5, 4), torch.zeros(5, dtype=torch.long))
    assert PROXIES.create("synflow").compute(ctx) == pytest.approx(math.log(2 * r))


def test_naswot_kernel_by_hand():
    """Codes of a bare ReLU are the signs of the inputs; K[i,j] counts agreeing units."""
    inputs = torch.tensor([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0]])
    ctx = context(lambda: nn.Sequential(nn.ReLU()), inputs, torch.zeros(3, dtype=torch.long))
    codes = (inputs > 0).double()
    kernel = codes @ codes.T + (1 - codes) @ (1 - codes).T
    assert PROXIES.create("naswot").compute(ctx) == pytest.approx(float(torch.linalg.slogdet(kernel)[1]))


def test_naswot_identical_inputs_fail_cleanly():
    ctx = context(lambda: nn.Sequential(nn.ReLU()), torch.ones(4, 3), torch.zeros(4, dtype=torch.long))
    score = PROXIES.create("naswot").score(ctx)
    assert not score.ok and "singular" in score.error


def softmax_linear_grad(weight, x, y):
    """dL/dW of mean cross-entropy for logits = x W^T, by hand."""
    logits = x @ weight.T
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    return p.T @ x / len(y)


def test_grad_norm_and_snip_match_a_hand_gradient():
    torch.manual_seed(1)
    x, y = torch.randn(6, 5), torch.tensor([0, 1, 2, 0, 1, 2])

    def model():
        torch.manual_seed(2)
        return nn.Sequential(nn.Linear(5, 3, bias=False))

    w = model()[0].weight.detach().numpy().astype(np.float64)
    g = softmax_linear_grad(w, x.numpy().astype(np.float64), y.numpy())
    assert PROXIES.create("grad_norm").compute(context(model, x, y)) == pytest.approx(np.linalg.norm(g), rel=1e-5)
    assert PROXIES.create("snip").compute(context(model, x, y)) == pytest.approx(np.abs(w * g).sum(), rel=1e-5)


def test_fisher_by_hand():
    """One linear layer: channel saliency 0.5 * mean_n (a_nc * g_nc)^2 with g = dL/da."""
    torch.manual_seed(3)
    x, y = torch.randn(4, 5), torch.tensor([0, 1, 2, 1])

    def model():
        torch.manual_seed(4)
        return nn.Sequential(nn.Linear(5, 3))

    m = model()
    a = m(x).detach()
    p = F.softmax(a, dim=1)
    g = (p - F.one_hot(y, 3)) / len(y)
    expected = 0.5 * ((a * g) ** 2).mean(0).sum()
    assert PROXIES.create("fisher").compute(context(model, x, y)) == pytest.approx(float(expected), rel=1e-5)


def test_jacob_cov_formula():
    torch.manual_seed(5)
    x = torch.randn(6, 4)

    def model():
        torch.manual_seed(6)
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    xr = x.clone().requires_grad_(True)
    out = model()(xr)
    out.backward(torch.ones_like(out))
    eig = np.linalg.eigvalsh(np.corrcoef(xr.grad.numpy().astype(np.float64)))
    expected = -np.sum(np.log(eig + 1e-5) + 1.0 / (eig + 1e-5))
    got = PROXIES.create("jacob_cov").compute(context(model, x, torch.zeros(6, dtype=torch.long), classes=2))
    assert got == pytest.approx(expected, rel=1e-6)


def test_zico_by_hand():
    torch.manual_seed(7)
    x, y = torch.randn(8, 5), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])

    def model():
        torch.manual_seed(8)
        return nn.Sequential(nn.Linear(5, 3, bias=False))

    w = model()[0].weight.detach().numpy().astype(np.float64)
    grads = np.stack([softmax_linear_grad(w, xb.numpy().astype(np.float64), yb.numpy()).ravel()
                      for xb, yb in zip(x.chunk(2), y.chunk(2), strict=True)])
    std = grads.std(axis=0, ddof=1)
    expected = math.log((np.abs(grads).mean(axis=0)[std > 0] / std[std > 0]).sum())
    assert PROXIES.create("zico").compute(context(model, x, y)) == pytest.approx(expected, rel=1e-5)


def test_params_and_flops(tiny_space):
    import optuna

    arch = tiny_space.sample(optuna.create_study().ask())
    ctx = ProxyContext(model_factory=lambda: tiny_space.build(arch), batch=ProxyBatch(torch.zeros(2, 3, 32, 32),
                       torch.zeros(2, dtype=torch.long), 10), workload_factory=lambda: tiny_space.workload(arch))
    assert PROXIES.create("params").compute(ctx) == sum(p.numel() for p in tiny_space.build(arch).parameters())
    assert PROXIES.create("flops").compute(ctx) == tiny_space.workload(arch).macs
