"""Search strategies: Optuna samplers behind one small interface, chosen by name in the
experiment file (``strategy: {name: nsga2, options: {population_size: 24}}``).

A strategy makes the sampler of a study for a ``JointSpace`` (the trial parameters and their
dimensions) and may say how many trials it has left (``remaining``: a grid runs out). Registered:
``nsga2`` (default), ``tpe``, ``random``, ``qmc``, ``grid`` and ``nested`` (outer architecture
search, inner accelerator search per architecture). ``tests/search/test_strategies.py`` runs every
registered strategy through the same suite, so a new one is tested without new test code.

Constraints reach every sampler through the trials themselves (``Trial.set_constraint``, read
back as ``FrozenTrial.constraints``): NSGA-II ranks by constrained domination, TPE puts infeasible
trials among the bad ones. A design that cannot be mapped is such an infeasible trial (see
``codesign/search/loop.py``), so the samplers learn to avoid it."""
from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import optuna

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.registry import Registry


@dataclass(frozen=True)
class JointSpace:
    """The parameters a trial samples, grouped by sub-space: ``(sub-space name, ((parameter,
    dimension), ...))`` pairs, parameters named ``NAME.dimension``; ``fields`` gives the config
    field each parameter comes from (for error messages)."""

    groups: tuple[tuple[str, tuple[tuple[str, Dimension], ...]], ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Dimension]:
        return {name: dim for _, params in self.groups for name, dim in params}

    @property
    def names(self) -> tuple[str, ...]:
        """The sub-spaces, in sampling order."""
        return tuple(name for name, _ in self.groups)

    @property
    def size(self) -> int | None:
        """Number of points when every dimension is finite."""
        sizes = [d.size for d in self.params.values()]
        return math.prod(sizes) if all(s is not None for s in sizes) else None

    def subset(self, names: Collection[str]) -> JointSpace:
        """The groups of the sub-spaces ``names``."""
        return JointSpace(groups=tuple(g for g in self.groups if g[0] in names), fields=self.fields)

    def where(self, name: str) -> str:
        """The config field a parameter comes from (for error messages)."""
        return self.fields.get(name, name)


def sampler_keywords(sampler_class: type) -> tuple[str, ...]:
    """The keyword arguments a sampler's constructor takes (``seed`` is the strategy's)."""
    params = inspect.signature(sampler_class.__init__).parameters.values()
    return tuple(p.name for p in params if p.name not in ("self", "seed")
                 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


class Strategy:
    """Makes the Optuna sampler for a study. ``options`` go to the sampler's constructor: their
    names are checked against its signature, their values by the sampler (both errors name the
    option); ``where`` is the config field they come from."""

    sampler_class: ClassVar[type[optuna.samplers.BaseSampler] | None] = None
    #: Sampler options that differ from Optuna's defaults (the user's options override them).
    defaults: ClassVar[dict[str, Any]] = {}
    #: Whether the strategy can be the outer or inner part of ``nested``.
    nestable: ClassVar[bool] = True

    def __init__(self, seed: int, where: str = "strategy.options", **options: Any) -> None:
        self.seed = seed
        self.where = where
        self.options = options
        self._sampler: optuna.samplers.BaseSampler | None = None

    def sampler(self, space: JointSpace) -> optuna.samplers.BaseSampler:
        """The sampler for ``space`` (bad options raise ``ConfigError`` on ``where.<option>``)."""
        assert self.sampler_class is not None, f"{type(self).__name__} must set sampler_class or override sampler()"
        known = sampler_keywords(self.sampler_class)
        for name in self.options:
            if name not in known:
                raise ConfigError(f"{self.where}.{name}", f"unknown option of {self.sampler_class.__name__} "
                                                          f"(known: {', '.join(known)})")
        kwargs = {**self.defaults, **self.options}
        kwargs["seed"] = self.seed
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                self._sampler = self.sampler_class(**kwargs)
        except (TypeError, ValueError) as exc:
            raise ConfigError(self.where, f"{self.sampler_class.__name__} refused the options "
                                          f"{self.options!r}: {exc}") from None
        return self._sampler

    def remaining(self, study: optuna.Study) -> int | None:
        """Trials this strategy can still propose (``None``: no limit)."""
        return None

    def seedable(self, available: int) -> int:
        """How many first trials of a fresh study may take given architectures (of ``available``:
        a sample of the space already scored, such as a rank combination's reference sample)
        without changing the kind of search: as many as the sampler would draw uniformly at
        random anyway. 0 by default (a grid, a low-discrepancy sequence, an inner search)."""
        return 0

    def askable(self, study: optuna.Study, unfinished: int) -> int | None:
        """How many more trials can be asked now, while ``unfinished`` asked trials are still
        being evaluated, and each get what it would get had every earlier trial finished first
        (``None``: the strategy promises nothing of the kind; the loop then keeps its batch in
        flight and what a trial gets depends on which results came back before it was asked)."""
        return None


STRATEGIES: Registry[Strategy] = Registry("strategy", ("codesign.search.strategies",))


@STRATEGIES.register("nsga2")
class NSGA2(Strategy):
    """NSGA-II (Deb et al. 2002): the default for several objectives; constrained domination.

    Optuna's NSGA-II gives a new trial the generation of the newest complete trials, or the next
    one once ``population_size`` of those are complete; the first trial of a generation fixes its
    parents (the elite of the previous generation and its parents), and the children within a
    generation depend on those parents and the sampler's random stream only, not on each other's
    results. So a trial asked while others are unfinished gets what a one-at-a-time run would give
    it as long as the unfinished trials cannot end its generation: ``askable`` allows asks up to
    ``population_size`` trials per generation counting the unfinished ones, and the first trial of
    the next generation only once none is unfinished (its parents are then chosen from the whole
    finished generation). Parallel executors thus keep the generations and the trials of a
    sequential run (given the same parameters in every trial, so that Optuna's intersection
    search space does not depend on which trials are complete)."""

    sampler_class = optuna.samplers.NSGAIISampler

    def seedable(self, available: int) -> int:
        """The first generation is drawn at random: up to ``population_size`` architectures."""
        assert isinstance(self._sampler, optuna.samplers.NSGAIISampler), "sampler() first"
        return min(available, self._sampler.population_size)

    def askable(self, study: optuna.Study, unfinished: int) -> int | None:
        from codesign.search.optuna_internals import generation_key

        sampler = self._sampler
        assert isinstance(sampler, optuna.samplers.NSGAIISampler), "sampler() first"
        population = sampler.population_size
        key = generation_key(sampler)
        newest, count = 0, 0  # as optuna's BaseGASampler.get_trial_generation counts them
        for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
            generation = trial.system_attrs.get(key, -1)
            if generation > newest:
                newest, count = generation, 1
            elif generation == newest:
                count += 1
        in_generation = count if count < population else 0  # a full generation: the next one starts
        return population - in_generation - unfinished


@STRATEGIES.register("tpe")
class TPE(Strategy):
    """Tree-structured Parzen estimator (multi-objective MOTPE when several objectives)."""

    sampler_class = optuna.samplers.TPESampler

    def seedable(self, available: int) -> int:
        """Its ``n_startup_trials`` first trials are drawn at random."""
        startup = self.options.get("n_startup_trials",
                                   inspect.signature(self.sampler_class).parameters["n_startup_trials"].default)
        return min(available, startup)


@STRATEGIES.register("random")
class Random(Strategy):
    """Uniform random sampling: the baseline every strategy must beat."""

    sampler_class = optuna.samplers.RandomSampler

    def seedable(self, available: int) -> int:
        """Every trial is a random draw."""
        return available


@STRATEGIES.register("qmc")
class QMC(Strategy):
    """Scrambled Sobol quasi-random sampling (space-filling). Scrambled by default (Optuna's
    default is not), so that the seed changes the points."""

    sampler_class = optuna.samplers.QMCSampler
    defaults = {"scramble": True}


@STRATEGIES.register("grid")
class Grid(Strategy):
    """Every point of the (finite) joint space once, in a seeded order that spreads a partial
    budget over the whole grid; the run stops when the grid is exhausted."""

    nestable = False

    def sampler(self, space: JointSpace) -> optuna.samplers.BaseSampler:
        from codesign.search.grid import JointGridSampler, dimension_values

        if self.options:
            raise ConfigError(self.where, f"grid takes no options, got {', '.join(sorted(self.options))}")
        params = {name: dimension_values(dim, space.where(name)) for name, dim in space.params.items()}
        self._sampler = JointGridSampler(params, seed=self.seed)
        return self._sampler

    def remaining(self, study: optuna.Study) -> int | None:
        from codesign.search.grid import JointGridSampler

        assert isinstance(self._sampler, JointGridSampler), "sampler() first"
        return self._sampler.remaining(study)


_NESTED_DEFAULTS: dict[str, Any] = {
    "inner_trials": 4,
    "shared_inner": True,
    "outer_subspaces": ["arch"],
    "outer": {"name": "tpe", "options": {}},
    "inner": {"name": "tpe", "options": {}},
}


@STRATEGIES.register("nested")
class Nested(Strategy):
    """Outer architecture search, and an inner accelerator search of ``inner_trials`` trials per
    architecture (as NAAS does). The outer search samples the sub-spaces ``outer_subspaces``
    (``[arch]``), the inner one every other sub-space. Options: ``inner_trials`` (4); ``outer`` and ``inner``, each a
    strategy ``{name, options}`` (TPE both); ``shared_inner`` (true: one inner sampler learns from
    every architecture's accelerator trials; false: a fresh one per architecture, as in NAAS).
    The defaults did best of the variants tried on ``benchmarks/search_quality.py`` (see
    docs/measurements-search.md). See ``codesign/search/nested.py``."""

    nestable = False

    def _part(self, key: str) -> tuple[type[Strategy], dict[str, Any]]:
        raw = self.options.get(key, _NESTED_DEFAULTS[key])
        where = f"{self.where}.{key}"
        if not isinstance(raw, dict) or set(raw) - {"name", "options"} or "name" not in raw:
            raise ConfigError(where, f"expected {{name: STRATEGY, options: {{...}}}}, got {raw!r}")
        if raw["name"] == "nested":
            raise ConfigError(f"{where}.name", "a nested strategy cannot nest another")
        options = raw.get("options") or {}
        if not isinstance(options, dict):
            raise ConfigError(f"{where}.options", f"expected a mapping, got {options!r}")
        cls = STRATEGIES.get(raw["name"], field=f"{where}.name")
        if not cls.nestable:
            raise ConfigError(f"{where}.name", f"{raw['name']!r} cannot be part of a nested strategy "
                              "(it counts its points over the whole study, which the nested rounds share)")
        return cls, options

    def sampler(self, space: JointSpace) -> optuna.samplers.BaseSampler:
        from codesign.search.nested import NestedSampler

        unknown = set(self.options) - set(_NESTED_DEFAULTS)
        if unknown:
            raise ConfigError(f"{self.where}.{sorted(unknown)[0]}", f"unknown option "
                                                                    f"(known: {', '.join(_NESTED_DEFAULTS)})")
        inner_trials = self.options.get("inner_trials", _NESTED_DEFAULTS["inner_trials"])
        if isinstance(inner_trials, bool) or not isinstance(inner_trials, int) or inner_trials < 1:
            raise ConfigError(f"{self.where}.inner_trials", f"must be an integer >= 1, got {inner_trials!r}")
        outer_names = self.options.get("outer_subspaces", _NESTED_DEFAULTS["outer_subspaces"])
        if not isinstance(outer_names, list) or not outer_names or any(n not in space.names for n in outer_names):
            raise ConfigError(f"{self.where}.outer_subspaces", f"expected a non-empty list of the experiment's "
                                                               f"sub-spaces ({', '.join(space.names)}), got {outer_names!r}")
        outer_cls, outer_options = self._part("outer")
        inner_cls, inner_options = self._part("inner")
        outer_where, inner_where = f"{self.where}.outer.options", f"{self.where}.inner.options"
        outer = outer_cls(self.seed, outer_where, **outer_options).sampler(space.subset(outer_names))
        inner_space = space.subset([n for n in space.names if n not in outer_names])
        inner_cls(self.seed, inner_where, **inner_options).sampler(inner_space)  # validate the options now

        def inner_factory(round_number: int) -> optuna.samplers.BaseSampler:
            # Seeded per round so that a resumed run draws what an uninterrupted one would.
            return inner_cls(self.seed * 1_000_003 + round_number + 1, inner_where, **inner_options).sampler(inner_space)

        shared = self.options.get("shared_inner", _NESTED_DEFAULTS["shared_inner"])
        if not isinstance(shared, bool):
            raise ConfigError(f"{self.where}.shared_inner", f"must be true or false, got {shared!r}")
        self._sampler = NestedSampler(outer, inner_factory, inner_trials, outer_subspaces=tuple(outer_names),
                                      shared_inner=shared)
        return self._sampler


def make_strategy(name: str, seed: int, options: dict[str, Any], where: str = "strategy") -> Strategy:
    """The registered strategy ``name`` (its options are checked when it makes its sampler)."""
    cls = STRATEGIES.get(name, field=f"{where}.name")
    return cls(seed, f"{where}.options", **options)
