import torch.nn as nn

from codesign.proxies.base import PROXIES, ProxyContext
from codesign.proxies.data import proxy_batch


def mlp():
    import torch

    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def test_short_training_learns_digits_and_is_deterministic():
    ctx = ProxyContext(model_factory=mlp, batch=proxy_batch("digits", (1, 8, 8), 8, 10))
    proxy = PROXIES.create("train", steps=150, batch_size=32, lr=0.05, eval_images=300)
    first, second = proxy.score(ctx), proxy.score(ctx)
    assert first.ok, first.error
    assert first.value > 0.8  # chance is 0.1
    assert first.value == second.value


def test_more_training_helps():
    ctx = ProxyContext(model_factory=mlp, batch=proxy_batch("digits", (1, 8, 8), 8, 10))
    short = PROXIES.create("train", steps=2, eval_images=300).compute(ctx)
    longer = PROXIES.create("train", steps=150, eval_images=300).compute(ctx)
    assert longer > short
