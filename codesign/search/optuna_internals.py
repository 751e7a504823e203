"""Every use of Optuna's private API, in one place.

Optuna has no public API for what the engine needs here: to fail a trial another (killed)
process left running, to read and write system attributes of a trial from inside a sampler, and
to show a sampler a filtered view of a study. These helpers wrap ``Study._storage``,
``Study._study_id``, ``Study._thread_local`` and ``FrozenTrial._trial_id``; ``SUPPORTED_OPTUNA``
is the range they are tested against (``tests/search/test_optuna_internals.py`` pins it), so an
Optuna upgrade that moves them fails there, not in the middle of a search.
"""
from __future__ import annotations

from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

#: Optuna versions these helpers are written for (the same range as pyproject.toml).
SUPPORTED_OPTUNA = (">=5.0", "<7")
SUPPORTED_MAJORS = (5, 6)


def supported(version: str = optuna.__version__) -> bool:
    """Whether ``version`` is one these helpers support."""
    return int(version.split(".")[0]) in SUPPORTED_MAJORS


def storage(study: optuna.Study) -> optuna.storages.BaseStorage:
    """The study's storage."""
    return study._storage  # noqa: SLF001


def study_id(study: optuna.Study) -> int:
    return study._study_id  # noqa: SLF001


def trial_id(trial: FrozenTrial | optuna.Trial) -> int:
    """The storage id of a trial (frozen or live)."""
    return trial._trial_id  # noqa: SLF001


def thread_local(study: optuna.Study) -> Any:
    return study._thread_local  # noqa: SLF001


def all_trials(study: optuna.Study) -> list[FrozenTrial]:
    """Every trial of the study straight from the storage (no copy, no sampler view)."""
    return storage(study).get_all_trials(study_id(study), deepcopy=False)


def set_system_attr(study: optuna.Study, trial: FrozenTrial | optuna.Trial, key: str, value: Any) -> None:
    storage(study).set_trial_system_attr(trial_id(trial), key, value)


def system_attrs(study: optuna.Study, trial: FrozenTrial | optuna.Trial) -> dict[str, Any]:
    """The trial's system attributes as stored now (a frozen trial's copy may be older)."""
    return storage(study).get_trial_system_attrs(trial_id(trial))


def trial_by_number(study: optuna.Study, number: int) -> FrozenTrial:
    store = storage(study)
    return store.get_trial(store.get_trial_id_from_study_id_trial_number(study_id(study), number))


def fail_foreign_trial(study: optuna.Study, trial: FrozenTrial, user_attrs: dict[str, Any]) -> None:
    """Set ``user_attrs`` on a trial some other process left RUNNING and mark it failed."""
    store = storage(study)
    for key, value in user_attrs.items():
        store.set_trial_user_attr(trial_id(trial), key, value)
    store.set_trial_state_values(trial_id(trial), state=TrialState.FAIL)


def init_study_view(view: optuna.Study, study: optuna.Study) -> None:
    """Give ``view`` (an ``optuna.Study`` subclass not run through ``Study.__init__``) the real
    study's identity and storage, so samplers write their bookkeeping to the real trials."""
    view.study_name = study.study_name
    view._study_id = study_id(study)  # noqa: SLF001
    view._storage = storage(study)  # noqa: SLF001
    view._directions = list(study.directions)  # noqa: SLF001
    view.sampler = study.sampler
    view.pruner = study.pruner
    view._thread_local = thread_local(study)  # noqa: SLF001
    view._stop_flag = False  # noqa: SLF001


def generation_key(sampler: optuna.samplers.NSGAIISampler) -> str:
    """The system attribute under which Optuna's genetic samplers store a trial's generation."""
    return sampler._get_generation_key()  # noqa: SLF001
