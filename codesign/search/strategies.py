"""Search strategies: Optuna samplers behind one small interface, chosen by name in the
experiment file (``strategy: {name: nsga2, options: {population_size: 24}}``).

Constraints reach every sampler through the trials themselves (``Trial.set_constraint``, read
back as ``FrozenTrial.constraints``): NSGA-II then ranks by constrained domination."""
from __future__ import annotations

import warnings
from typing import Any, ClassVar

import optuna

from codesign.errors import ConfigError
from codesign.registry import Registry


class Strategy:
    """Makes the Optuna sampler for a study. ``options`` go to the sampler's constructor."""

    sampler_class: ClassVar[type[optuna.samplers.BaseSampler]]

    def __init__(self, seed: int, **options: Any) -> None:
        self.seed = seed
        self.options = options

    def sampler(self) -> optuna.samplers.BaseSampler:
        kwargs = dict(self.options)
        kwargs["seed"] = self.seed
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return self.sampler_class(**kwargs)
        except TypeError as exc:
            raise ConfigError("strategy.options", f"{exc}") from None


STRATEGIES: Registry[Strategy] = Registry("strategy", ("codesign.search.strategies",))


@STRATEGIES.register("nsga2")
class NSGA2(Strategy):
    """NSGA-II (Deb et al. 2002): the default for several objectives; constrained domination."""

    sampler_class = optuna.samplers.NSGAIISampler


@STRATEGIES.register("tpe")
class TPE(Strategy):
    """Tree-structured Parzen estimator (multi-objective MOTPE when several objectives)."""

    sampler_class = optuna.samplers.TPESampler


@STRATEGIES.register("random")
class Random(Strategy):
    """Uniform random sampling: the baseline every strategy must beat."""

    sampler_class = optuna.samplers.RandomSampler


@STRATEGIES.register("qmc")
class QMC(Strategy):
    """Scrambled Sobol quasi-random sampling (space-filling)."""

    sampler_class = optuna.samplers.QMCSampler


def make_strategy(name: str, seed: int, options: dict[str, Any]) -> Strategy:
    cls = STRATEGIES.get(name, field="strategy.name")
    return cls(seed=seed, **options)
