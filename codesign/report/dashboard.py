"""optuna-dashboard on a run's study.

A run's ``study.journal`` is Optuna's journal format, so ``optuna-dashboard RUN_DIR/study.journal``
opens it as it is. ``codesign dashboard RUN_DIR`` does the same for any run (journal file or
database URL, from run.json) and, unless ``allow_writes``, serves the study read-only: the
dashboard writes notes and user attributes into the study, and a write into the journal of a
running search is a second writer, which the search refuses (``BufferedJournalFile``)."""
from __future__ import annotations

from typing import Any

import optuna
from optuna.storages.journal import JournalFileBackend, JournalStorage

from codesign.errors import CodesignError
from codesign.storage.run_dir import JOURNAL_FILE, RunDir

#: Storage methods that change a study; refused by ``read_only``.
_WRITES = ("create_new_study", "delete_study", "set_study_user_attr", "set_study_system_attr", "create_new_trial",
           "set_trial_param", "set_trial_state_values", "set_trial_intermediate_value", "set_trial_user_attr",
           "set_trial_system_attr")


def _refuse(*_args: Any, **_kwargs: Any) -> None:
    raise CodesignError("the dashboard serves this run read-only (codesign dashboard --allow-writes to change it)")


def read_only(storage: optuna.storages.BaseStorage) -> optuna.storages.BaseStorage:
    """``storage`` with every write refused (the object itself, its write methods replaced)."""
    for name in _WRITES:
        setattr(storage, name, _refuse)
    return storage


def run_storage(run_dir: RunDir, allow_writes: bool = False) -> optuna.storages.BaseStorage:
    """The run's study storage as the dashboard reads it: Optuna's own journal backend (or the
    run's database URL)."""
    url = run_dir.storage_url()
    if url:
        storage: optuna.storages.BaseStorage = optuna.storages.RDBStorage(url)
    else:
        path = run_dir.path / JOURNAL_FILE
        if not path.is_file():
            raise CodesignError(f"{run_dir.path}: no study yet (no {JOURNAL_FILE})")
        storage = JournalStorage(JournalFileBackend(str(path)))
    return storage if allow_writes else read_only(storage)


def serve(run_dir: RunDir, host: str = "127.0.0.1", port: int = 8080, allow_writes: bool = False) -> None:
    """Serve optuna-dashboard on ``host:port`` until interrupted."""
    from optuna_dashboard import run_server

    run_server(run_storage(run_dir, allow_writes), host=host, port=port)
