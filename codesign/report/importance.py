"""Parameter importances per objective, by Optuna's importance evaluators.

Only feasible trials are used (an infeasible trial's placeholder objective, +inf, is not a value
an evaluator can regress on). The default evaluator is PED-ANOVA (Watanabe et al., IJCAI 2023;
``optuna.importance.PedAnovaImportanceEvaluator``), which takes milliseconds on a thousand trials;
``fanova`` (Hutter et al., ICML 2014; Optuna's default, a random forest) and
``mean_decrease_impurity`` are available by name, at seconds per objective."""
from __future__ import annotations

import warnings
from typing import Any

import optuna

from codesign.errors import ConfigError
from codesign.report.options import IMPORTANCE_EVALUATORS
from codesign.search.metrics import Objective
from codesign.storage.run_dir import TrialRecord

#: Fewest feasible trials an importance is computed from (fewer say nothing).
MIN_TRIALS = 4


def _evaluator(name: str, seed: int) -> optuna.importance.BaseImportanceEvaluator:
    from optuna import importance

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


def importances(study: optuna.Study, records: list[TrialRecord], objectives: list[Objective],
                evaluator: str = "ped_anova", seed: int = 0) -> dict[str, dict[str, float]]:
    """Importance of every searched parameter for each objective (name → {param: share}); an
    objective is left out when fewer than ``MIN_TRIALS`` feasible trials exist or the evaluator
    cannot rank (every parameter constant)."""
    feasible = {r.number for r in records if r.feasible}
    view = _FeasibleTrials([t for t in study.get_trials(deepcopy=False) if t.number in feasible and t.params])
    if len(view.get_trials()) < MIN_TRIALS:
        return {}
    out: dict[str, dict[str, float]] = {}
    for i, objective in enumerate(objectives):
        sign = objective.sign
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PED-ANOVA's note that a target is minimised: it is a loss
            try:
                ranked = optuna.importance.get_param_importances(
                    view, evaluator=_evaluator(evaluator, seed), target=lambda t, i=i, sign=sign: sign * t.values[i])
            except (RuntimeError, ValueError):  # every parameter constant over these trials
                continue
        out[objective.metric.name] = {k: float(v) for k, v in ranked.items()}
    return out
