"""Parameter importances per objective, by Optuna's importance evaluators.

Only feasible trials are used (an infeasible trial's placeholder objective, +inf, is not a value
an evaluator can regress on). The default evaluator is PED-ANOVA (Watanabe et al., IJCAI 2023;
``optuna.importance.PedAnovaImportanceEvaluator``), under a second for three objectives here;
``fanova`` (Hutter et al., ICML 2014; Optuna's default, a random forest) and
``mean_decrease_impurity`` are available by name, at seconds per objective.

The evaluators' cost grows with the trials (the forests superlinearly), so at most
``MAX_TRIALS`` feasible trials are used, evenly spaced over the run (first and last kept); the
report states how many of how many (``Importances.trials`` / ``.feasible``).

Importing ``optuna.importance`` imports scikit-learn (for the forests of ``fanova`` and
``mean_decrease_impurity``), which takes seconds on a busy machine (6.7 s measured under load,
``python -c "import optuna.importance"``) — most of a report's build time. PED-ANOVA needs no
forest, so for it the package is imported with scikit-learn held back (``_importance_api``);
Optuna's own optional-import guard then marks the forests unavailable, and asking for a
forest evaluator later imports scikit-learn and re-imports the two modules that use it."""
from __future__ import annotations

import importlib
import importlib.abc
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

import optuna

from codesign.errors import ConfigError
from codesign.report.options import IMPORTANCE_EVALUATORS
from codesign.report.trials import spread
from codesign.search.metrics import Objective
from codesign.storage.run_dir import TrialRecord

#: Fewest feasible trials an importance is computed from (fewer say nothing).
MIN_TRIALS = 4
#: Most feasible trials an importance is computed from (a subsample beyond: stated on the page).
MAX_TRIALS = 300


@dataclass
class Importances:
    """Importance per objective (name → {param: share}) and the trials it was computed from."""

    values: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Feasible trials used, and feasible trials there were.
    trials: int = 0
    feasible: int = 0


#: Evaluators that fit random forests (scikit-learn).
FOREST_EVALUATORS = ("fanova", "mean_decrease_impurity")
#: Optuna modules that import scikit-learn under their optional-import guard.
_FOREST_MODULES = ("optuna.importance._fanova._fanova", "optuna.importance._mean_decrease_impurity")


class _HoldBackSklearn(importlib.abc.MetaPathFinder):
    """Makes ``import sklearn`` fail (Optuna's guard records it as unavailable)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError(f"{name}: held back (PED-ANOVA needs no forests)")
        return None


def _importance_api(forests: bool) -> Any:
    """``optuna.importance``; without ``forests``, imported without scikit-learn when neither is
    loaded yet (see the module docstring)."""
    if forests:
        module = importlib.import_module("optuna.importance")
        for name in _FOREST_MODULES:  # imported while scikit-learn was held back: import it now
            loaded = sys.modules.get(name)
            if loaded is not None and not loaded._imports.is_successful():
                importlib.reload(loaded)
        return module
    if "optuna.importance" in sys.modules or "sklearn" in sys.modules:
        return importlib.import_module("optuna.importance")
    finder = _HoldBackSklearn()
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module("optuna.importance")
    finally:
        sys.meta_path.remove(finder)


def _evaluator(name: str, seed: int) -> Any:
    importance = _importance_api(name in FOREST_EVALUATORS)

    evaluators = {
        "ped_anova": lambda: importance.PedAnovaImportanceEvaluator(),
        "fanova": lambda: importance.FanovaImportanceEvaluator(seed=seed),
        "mean_decrease_impurity": lambda: importance.MeanDecreaseImpurityImportanceEvaluator(seed=seed),
    }
    assert set(evaluators) == set(IMPORTANCE_EVALUATORS)
    if name not in evaluators:
        raise ConfigError("--importance", f"unknown evaluator {name!r} (known: {', '.join(evaluators)})")
    return evaluators[name]()


class _FeasibleTrials:
    """The few parts of ``optuna.Study`` the importance evaluators read, over the feasible trials
    only (copying them into a new study costs seconds per thousand trials)."""

    directions = [optuna.study.StudyDirection.MINIMIZE]  # the target below is a loss

    def __init__(self, trials: list[optuna.trial.FrozenTrial]) -> None:
        self._trials = trials

    def get_trials(self, deepcopy: bool = False, states: Any = None) -> list[optuna.trial.FrozenTrial]:
        return self._trials

    def _is_multi_objective(self) -> bool:
        return False


def importances(trials: list[optuna.trial.FrozenTrial], records: list[TrialRecord], objectives: list[Objective],
                evaluator: str = "ped_anova", seed: int = 0, max_trials: int = MAX_TRIALS) -> Importances:
    """Importance of every searched parameter for each objective over the feasible ones of
    ``trials`` (at most ``max_trials``, evenly spaced); an objective is left out when fewer than
    ``MIN_TRIALS`` feasible trials exist or the evaluator cannot rank (every parameter constant)."""
    feasible_numbers = {r.number for r in records if r.feasible}
    feasible = [t for t in trials if t.number in feasible_numbers and t.params]
    used = spread(feasible, max(MIN_TRIALS, max_trials))
    out = Importances(trials=len(used), feasible=len(feasible))
    if len(used) < MIN_TRIALS:
        return out
    view = _FeasibleTrials(used)
    api = _importance_api(evaluator in FOREST_EVALUATORS)
    for i, objective in enumerate(objectives):
        sign = objective.sign
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PED-ANOVA's note that a target is minimised: it is a loss
            try:
                ranked = api.get_param_importances(
                    view, evaluator=_evaluator(evaluator, seed), target=lambda t, i=i, sign=sign: sign * t.values[i])
            except (RuntimeError, ValueError):  # every parameter constant over these trials
                continue
        out.values[objective.metric.name] = {k: float(v) for k, v in ranked.items()}
    return out
