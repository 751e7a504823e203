"""Grid search over the joint space without materialising the grid.

Optuna's ``GridSampler`` builds the full Cartesian product in memory and stops the study through
``Study.stop``, which only works inside ``study.optimize``. This sampler numbers the grid's points
in mixed radix (one digit per dimension) and visits them in a seeded order: point ``k`` is index
``(a * k + b) mod N``, with the stride ``a`` coprime to ``N`` and close to ``N / golden ratio``, so
every point comes exactly once and consecutive trials land far apart (a partial budget covers the
grid evenly). ``remaining`` tells the loop how many points are left; it stops at zero.
"""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.trial import FrozenTrial, TrialState

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.search import optuna_internals as internals
from codesign.storage.trial_attrs import GRID_KEY

_GOLDEN = (1 + 5 ** 0.5) / 2


def dimension_values(dim: Dimension, where: str) -> list[Any]:
    """Every value of a finite dimension, in order; a continuous range is an error."""
    if dim.choices is not None:
        return list(dim.choices)
    if dim.integer:
        return list(range(int(dim.low), int(dim.high) + 1, int(dim.step or 1)))
    if dim.step:
        n = int(math.floor((dim.high - dim.low) / dim.step + 1e-9)) + 1
        return [dim.low + i * dim.step for i in range(n)]
    raise ConfigError(where, f"{dim.describe()} is a continuous range; grid search needs choices or a step")


def _stride(n: int, seed: int) -> tuple[int, int]:
    """A stride coprime to ``n`` near ``n / golden ratio`` (seed-jittered) and an offset."""
    rng = random.Random(seed)
    if n <= 2:
        return 1, rng.randrange(n)
    a = max(1, int(n / _GOLDEN) + rng.randrange(-min(1000, n // 4), min(1000, n // 4) + 1))
    while math.gcd(a, n) != 1:
        a += 1
    return a % n or 1, rng.randrange(n)


class JointGridSampler(BaseSampler):
    """Visits each point of the grid ``params`` (name → values) once, in a seeded order."""

    def __init__(self, params: dict[str, Sequence[Any]], seed: int = 0) -> None:
        if not params:
            raise ConfigError("strategy", "grid search needs at least one searched dimension")
        self._names = list(params)
        self._values = [list(v) for v in params.values()]
        self._index = {name: i for i, name in enumerate(self._names)}
        self.size = math.prod(len(v) for v in self._values)
        self._a, self._b = _stride(self.size, seed)
        self._assigned: int | None = None  # grid points handed out so far (cached)
        self._by_trial: dict[int, int] = {}

    def point(self, k: int) -> dict[str, Any]:
        """The ``k``-th point visited (0 <= k < size)."""
        index = (self._a * k + self._b) % self.size
        out = {}
        for name, values in zip(reversed(self._names), reversed(self._values), strict=True):
            index, digit = divmod(index, len(values))
            out[name] = values[digit]
        return out

    def _count(self, study: optuna.Study) -> int:
        if self._assigned is None:
            trials = internals.all_trials(study)
            self._assigned = 1 + max((t.system_attrs.get(GRID_KEY, -1) for t in trials), default=-1)
        return self._assigned

    def remaining(self, study: optuna.Study) -> int:
        """Grid points not yet handed to a trial."""
        return max(0, self.size - self._count(study))

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if "fixed_params" in trial.system_attrs or GRID_KEY in trial.system_attrs:
            return  # a re-queued point, or already assigned
        k = self._count(study)
        if k >= self.size:
            raise ConfigError("strategy", f"the grid's {self.size} points are all taken")
        internals.set_system_attr(study, trial, GRID_KEY, k)
        self._by_trial[internals.trial_id(trial)] = k
        self._assigned = k + 1

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        return {}

    def sample_independent(self, study: optuna.Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        k = self._by_trial.get(internals.trial_id(trial), trial.system_attrs.get(GRID_KEY))
        if k is None:
            k = internals.system_attrs(study, trial).get(GRID_KEY)
        if param_name not in self._index or k is None:
            raise ConfigError("strategy", f"parameter {param_name!r} is not a dimension of the grid "
                                          f"(the space samples parameters it does not declare)")
        return self.point(int(k))[param_name]

    def after_trial(self, study: optuna.Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        self._by_trial.pop(internals.trial_id(trial), None)
