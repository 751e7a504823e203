"""Zero-cost accuracy proxies: a score of an untrained network that ranks architectures.

A proxy is a registered class with a ``direction`` and a ``compute(context)`` method. Scores are
deterministic (seeded weights and data) and always finite: a proxy that fails or produces NaN or
inf is reported as failed with its reason, and never reaches the optimiser as a number.
"""
from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import torch
import torch.nn as nn

from codesign.errors import ConfigError
from codesign.options import NoOptions, PluginOptions, validate_options
from codesign.registry import Registry
from codesign.workload import Workload


@dataclass(frozen=True)
class ProxyBatch:
    """Inputs and integer class labels for a proxy."""

    inputs: torch.Tensor
    targets: torch.Tensor
    num_classes: int


#: Exponent of the amplitude spectrum of synthetic images, |F(f)| ~ 1/f^alpha: natural images
#: have alpha close to 1 (Field, J. Opt. Soc. Am. A 4(12), 1987; van der Schaaf & van Hateren,
#: Vision Research 36(17), 1996).
NATURAL_SPECTRUM_ALPHA = 1.0


def synthetic_batch(input_shape: tuple[int, ...], batch_size: int, num_classes: int, seed: int = 0,
                    spectrum: str = "natural") -> ProxyBatch:
    """Seeded synthetic inputs and uniform labels.

    ``spectrum="natural"``: images whose amplitude spectrum falls as 1/f (white noise filtered in
    the Fourier domain, per image and channel), standardised per channel over the batch; inputs that
    are not images (not ``(C, H, W)``) get white noise. ``"white"``: standard-normal values. On
    NAS-Bench-201 the 1/f images rank networks closer to their trained accuracy than white noise
    for the data-dependent proxies (docs/measurements-proxies.md)."""
    if spectrum not in ("natural", "white"):
        raise ValueError(f"unknown spectrum {spectrum!r} (known: natural, white)")
    gen = torch.Generator().manual_seed(seed)
    inputs = torch.randn((batch_size, *input_shape), generator=gen)
    targets = torch.randint(0, num_classes, (batch_size,), generator=gen)
    if spectrum == "natural" and len(input_shape) == 3 and min(input_shape[1:]) > 1:
        inputs = _natural_spectrum(inputs)
    return ProxyBatch(inputs=inputs, targets=targets, num_classes=num_classes)


def _natural_spectrum(noise: torch.Tensor) -> torch.Tensor:
    """White noise ``(N, C, H, W)`` reshaped to a 1/f amplitude spectrum, zero mean, unit variance."""
    height, width = noise.shape[-2:]
    fy = torch.fft.fftfreq(height, dtype=torch.float64)[:, None]
    fx = torch.fft.rfftfreq(width, dtype=torch.float64)[None, :]
    radius = torch.sqrt(fy ** 2 + fx ** 2)
    gain = torch.where(radius > 0, radius.clamp_min(1e-12) ** -NATURAL_SPECTRUM_ALPHA, torch.zeros_like(radius))
    images = torch.fft.irfft2(torch.fft.rfft2(noise.double()) * gain, s=(height, width))
    mean = images.mean(dim=(0, 2, 3), keepdim=True)
    std = images.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-12)
    return ((images - mean) / std).float()


@dataclass
class ProxyContext:
    """What a proxy may look at: a factory of fresh seeded models, a batch and the workload;
    ``built``, when given, is the model the factory copies (lent by ``borrowed_model``)."""

    model_factory: Callable[[], nn.Module]
    batch: ProxyBatch
    workload_factory: Callable[[], Workload] | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    built: nn.Module | None = None

    def model(self) -> nn.Module:
        """A fresh copy of the network (proxies may modify the one they get)."""
        return self.model_factory()

    @contextmanager
    def borrowed_model(self) -> Iterator[nn.Module]:
        """The network for a proxy that does not change its weights: the built model itself
        when the context holds one (no copy), with what a pass may change of it restored on
        exit (buffers such as BatchNorm's running statistics, every module's training mode, the
        weights' ``requires_grad`` flags and gradients), so it stays what its copies are; else a
        fresh copy."""
        if self.built is None:
            yield self.model()
            return
        with restored(self.built):
            yield self.built

    def train_pass(self, needs: frozenset[str]) -> Any:
        """The shared training-mode pass (``codesign.proxies.train_pass``) on the borrowed model,
        recording ``needs`` and what ``extras["train_pass_needs"]`` announces (a combination
        lists its components' needs there, so one pass serves them all); run once per context."""
        from codesign.proxies.train_pass import run_train_pass

        wanted = frozenset(needs) | frozenset(self.extras.get("train_pass_needs", ()))
        done = self.extras.get("_train_pass")
        if done is None or not wanted <= done[0]:
            with self.borrowed_model() as model:  # the pass changes no weight
                done = (wanted, run_train_pass(model, self.batch.inputs, wanted))
            self.extras["_train_pass"] = done
        return done[1]

    @cached_property
    def workload(self) -> Workload:
        if self.workload_factory is None:
            raise RuntimeError("this proxy needs the workload, and none was given")
        return self.workload_factory()


@contextmanager
def restored(model: nn.Module) -> Iterator[None]:
    """Restore on exit the state of ``model`` that a forward/backward pass changes without
    changing its weights: buffers, training modes, ``requires_grad`` flags and ``.grad``."""
    buffers = [(b, b.clone()) for b in model.buffers()]
    modes = [(m, m.training) for m in model.modules()]
    params = [(p, p.requires_grad, p.grad) for p in model.parameters()]
    try:
        yield
    finally:
        with torch.no_grad():
            for buffer, saved in buffers:
                buffer.copy_(saved)
        for module, training in modes:
            module.training = training
        for param, flag, grad in params:
            param.requires_grad_(flag)
            param.grad = grad


@dataclass(frozen=True)
class ProxyScore:
    """A proxy's value, or why there is none."""

    name: str
    value: float | None
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None


class ProxyOptionsError(ConfigError, TypeError):
    """Bad proxy options: a one-line ``ConfigError`` on the dotted field (also a ``TypeError``,
    what a bad keyword argument to the proxy's constructor raises)."""


#: Where a proxy's options live in an experiment file.
PROXY_OPTIONS_FIELD = "proxy.options"


class Proxy(ABC):
    """Scores an untrained network; higher is better when ``direction`` is ``maximize``.
    ``Options`` (a ``PluginOptions`` model) declares and validates its options."""

    direction: ClassVar[str] = "maximize"
    Options: ClassVar[type[PluginOptions]] = NoOptions

    def __init__(self, **options: Any) -> None:
        self.options = self.check_options(options, PROXY_OPTIONS_FIELD)

    @classmethod
    def check_options(cls, raw: Any, where: str) -> Any:
        """Validated options (a ``ProxyOptionsError`` naming ``where.<field>`` and the value)."""
        try:
            return validate_options(cls.Options, raw, where)
        except ConfigError as exc:
            raise ProxyOptionsError(exc.field, exc.message) from None

    @property
    def name(self) -> str:
        return getattr(type(self), "registry_name", type(self).__name__)

    @abstractmethod
    def compute(self, ctx: ProxyContext) -> float:
        """The raw score."""

    def score(self, ctx: ProxyContext) -> ProxyScore:
        """``compute`` guarded: exceptions and non-finite values become failed scores."""
        start = time.perf_counter()
        try:
            value = float(self.compute(ctx))
        except Exception as exc:  # noqa: BLE001 - a proxy failure is data, not a crash
            return ProxyScore(self.name, None, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
        elapsed = time.perf_counter() - start
        if not math.isfinite(value):
            return ProxyScore(self.name, None, elapsed, f"non-finite score {value}")
        return ProxyScore(self.name, value, elapsed)


PROXIES: Registry[Proxy] = Registry("proxy", ("codesign.proxies",))


def create_proxy(name: str, options: dict[str, Any] | None = None, where: str = PROXY_OPTIONS_FIELD,
                 name_field: str = "proxy.name") -> Proxy:
    """The registered proxy ``name`` with ``options`` validated (errors name ``where.<field>``)."""
    cls = PROXIES.get(name, field=name_field)
    cls.check_options(options or {}, where)
    return cls(**(options or {}))
