"""The private Optuna API the engine relies on, pinned: every helper of
``codesign.search.optuna_internals`` works on the installed Optuna, and that Optuna is one the
module (and pyproject.toml) declares supported."""
from __future__ import annotations

import re
from pathlib import Path

import optuna
from optuna.trial import TrialState

from codesign.search import optuna_internals as internals

ROOT = Path(__file__).resolve().parents[2]


def test_installed_optuna_is_supported_and_matches_pyproject():
    assert internals.supported(optuna.__version__), optuna.__version__
    assert not internals.supported("4.9.0") and not internals.supported("7.0.0")
    pin = re.search(r'"optuna([^"]*)"', (ROOT / "pyproject.toml").read_text()).group(1)
    assert pin.replace(" ", "") == ",".join(internals.SUPPORTED_OPTUNA)


def test_every_helper_on_a_real_study():
    study = optuna.create_study()
    trial = study.ask()
    trial.suggest_int("x", 0, 3)
    assert internals.trial_id(trial) == internals.all_trials(study)[0]._trial_id  # noqa: SLF001
    internals.set_system_attr(study, trial, "k", 7)
    assert internals.system_attrs(study, trial)["k"] == 7
    assert internals.trial_by_number(study, trial.number).number == trial.number
    frozen = internals.all_trials(study)[0]
    internals.fail_foreign_trial(study, frozen, {"why": "gone"})
    again = internals.trial_by_number(study, trial.number)
    assert again.state == TrialState.FAIL and again.user_attrs["why"] == "gone"
    assert internals.storage(study).get_study_id_from_name(study.study_name) == internals.study_id(study)


def test_a_study_view_shares_the_real_storage():
    class View(optuna.Study):
        def __init__(self, study: optuna.Study) -> None:  # noqa: D107 - not Study.__init__ on purpose
            internals.init_study_view(self, study)

    study = optuna.create_study(directions=["minimize", "maximize"])
    view = View(study)
    assert view.directions == study.directions
    trial = study.ask()
    internals.set_system_attr(view, trial, "seen", True)
    assert internals.system_attrs(study, trial)["seen"] is True


def test_no_private_optuna_use_outside_the_module():
    """Optuna's ``_storage``, ``_trial_id``, ``_study_id``, ``_thread_local`` are read in one
    module only (``self._storage`` of a ``RunDir`` is its own attribute)."""
    pattern = re.compile(r"(?<!self)\._(storage|trial_id|study_id|thread_local)\b")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "codesign").rglob("*.py")
                 if p.name != "optuna_internals.py" and pattern.search(p.read_text())]
    assert offenders == [], offenders
