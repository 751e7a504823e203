"""A run directory: the experiment, its Optuna study and what was derived from it.

    RUN_DIR/config.yaml    the validated experiment (what --resume reads back)
    RUN_DIR/run.json       codesign version, creation time, storage URL
    RUN_DIR/study.journal  the Optuna study (journal file: append-only, crash-safe, resumable)
    RUN_DIR/front.json     the Pareto front, written at the end of each run
    RUN_DIR/session.json   which process runs it now, or how its last session ended

The journal is written through ``BufferedJournalFile`` (Optuna's format, batched appends: ~4 ms of
storage per trial against ~100 ms for Optuna's own file backend and ~290 ms for SQLite here). An
RDB URL (``storage:`` in the experiment, or ``--storage``) keeps the study in a database instead,
for sharing it; run.json then records the URL and the study's name. A password in that URL is
never written (run files are shared): run.json and config.yaml keep it as ``***``, and the full URL
is given again on ``--resume --storage URL`` or in ``$CODESIGN_STORAGE_URL``.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import yaml

from codesign.config.schema import ExperimentConfig, parse_config
from codesign.errors import CodesignError, ConfigError
from codesign.storage.journal import BufferedJournalFile
from codesign.storage.session import Liveness, Session, read_liveness
from codesign.storage.trial_attrs import (
    LEGACY_PART_KEYS,
    PARTS,
    REQUEUED_ATTR,
    RESULT_ATTR,
    SEEDED_ATTR,
)
from codesign.yamlio import read_json_object, read_yaml

STUDY_NAME = "codesign"
CONFIG_FILE = "config.yaml"
RUN_FILE = "run.json"
JOURNAL_FILE = "study.journal"
FRONT_FILE = "front.json"


@dataclass(frozen=True)
class TrialRecord:
    """One finished or running trial as read back from the study."""

    number: int
    state: str
    values: tuple[float, ...] | None
    params: dict[str, Any]
    result: dict[str, Any]
    #: Optuna constraint values by name (<= 0 satisfied), as set by ``Trial.set_constraint``.
    constraints: dict[str, float]
    duration_s: float | None
    #: Seconds since the epoch when the trial started / finished (``None`` while unknown).
    started: float | None = None
    completed: float | None = None
    #: A trial a killed run left running; its parameters were queued again (not a failure).
    requeued: bool = False
    #: The prepared, already scored sample its architecture was queued from ("reference sample
    #: #3": a rank combination's), or ``None``.
    seeded_from: str | None = None

    @property
    def violations(self) -> tuple[float, ...]:
        return tuple(self.constraints.values())

    @property
    def metrics(self) -> dict[str, Any]:
        return self.result.get("metrics", {})

    def parts(self) -> dict[str, Any]:
        """Every stored part by sub-space name."""
        parts = self.result.get(PARTS)
        if isinstance(parts, dict):
            return dict(parts)
        return {name: self.result[key] for name, key in LEGACY_PART_KEYS.items() if key in self.result}

    def part_data(self, name: str) -> dict[str, Any] | None:
        """The stored part of sub-space ``name`` (``None`` when the result has none): under
        ``parts``, or where runs from before sub-spaces kept it."""
        return self.parts().get(name)

    @property
    def infeasible(self) -> bool:
        """Complete, but violating a constraint (a budget, or the design does not map)."""
        return self.state == "COMPLETE" and not self.feasible

    @property
    def feasible(self) -> bool:
        return self.state == "COMPLETE" and all(v <= 0 for v in self.violations)


def trial_records(study: optuna.Study) -> list[TrialRecord]:
    """Every trial of ``study`` as a ``TrialRecord``, oldest first."""
    out = []
    for t in study.get_trials(deepcopy=False):
        duration = t.duration.total_seconds() if t.duration is not None else None
        out.append(TrialRecord(
            number=t.number, state=t.state.name, values=tuple(t.values) if t.values else None,
            params=dict(t.params), result=dict(t.user_attrs.get(RESULT_ATTR, {})),
            constraints=dict(t.constraints), duration_s=duration,
            started=t.datetime_start.timestamp() if t.datetime_start else None,
            completed=t.datetime_complete.timestamp() if t.datetime_complete else None,
            requeued=bool(t.user_attrs.get(REQUEUED_ATTR)), seeded_from=t.user_attrs.get(SEEDED_ATTR),
        ))
    return out


#: Environment variable that may hold the full storage URL, password included.
STORAGE_ENV = "CODESIGN_STORAGE_URL"
#: What a password becomes in run files and messages.
REDACTED = "***"
#: Full storage URLs this process was given, by their redacted form (never written anywhere).
_GIVEN_URLS: dict[str, str] = {}


def redact_url(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part replaced by ``***``."""
    return re.sub(r"(://[^:/@]*:).*@", rf"\g<1>{REDACTED}@", url, count=1)


def _hide(text: str, url: str) -> str:
    """``text`` with any occurrence of ``url`` (or its password) redacted."""
    text = text.replace(url, redact_url(url))
    password = re.match(r"[^:]*://[^:/@]*:(.*)@", url)
    return text.replace(password.group(1), REDACTED) if password and password.group(1) else text


def check_storage_url(url: str, where: str = "storage") -> str:
    """An SQLAlchemy database URL (``sqlite:///study.db``, ``postgresql://user@host/db``)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except ArgumentError:
        raise ConfigError(where, f"not a database URL: {redact_url(url)!r} (e.g. sqlite:///study.db, "
                                 f"postgresql://user@host/db)") from None
    return url


def full_storage_url(stored: str, given: str | None = None, where: str = "storage") -> str:
    """The URL to connect with: ``stored`` itself when it holds no redacted password, else
    ``given`` or ``$CODESIGN_STORAGE_URL``, which must be ``stored`` with the password."""
    if f":{REDACTED}@" not in stored:
        return stored
    for candidate in (given, _GIVEN_URLS.get(stored), os.environ.get(STORAGE_ENV)):
        if candidate and redact_url(candidate) == stored and f":{REDACTED}@" not in candidate:
            _GIVEN_URLS[stored] = candidate
            return candidate
    raise ConfigError(where, f"the password of {stored} is not kept in run files; give the full URL in "
                             f"${STORAGE_ENV} (or with --storage on --resume)")


def _storage(path: Path, url: str | None) -> tuple[optuna.storages.BaseStorage, BufferedJournalFile | None]:
    if url:
        try:
            return optuna.storages.RDBStorage(url), None
        except Exception as exc:  # noqa: BLE001 - driver missing, server unreachable: one line
            message = _hide(f"cannot open {url!r}: {type(exc).__name__}: {exc}", url)
            raise ConfigError("storage", message.splitlines()[0]) from None
    from optuna.storages.journal import JournalStorage

    backend = BufferedJournalFile(str(path / JOURNAL_FILE))
    return JournalStorage(backend), backend


class RunDir:
    """Create, reopen and read a run directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._storage: optuna.storages.BaseStorage | None = None
        self._backend: BufferedJournalFile | None = None
        self._secret_url: str | None = None  # the storage URL with its password, never written

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_FILE

    def exists(self) -> bool:
        return self.config_path.is_file()

    @classmethod
    def create(cls, path: str | Path, config: ExperimentConfig, storage_url: str | None = None) -> RunDir:
        """A new run directory; refuses one that already holds a run."""
        run = cls(path)
        if run.exists():
            raise CodesignError(f"{run.path}: already holds a run; continue it with "
                                f"`codesign run --resume {run.path}` or choose another --out")
        storage_url = storage_url or config.storage
        study_name = STUDY_NAME
        if storage_url:
            where = "--storage" if storage_url != config.storage else "storage"
            check_storage_url(storage_url, where)
            run._secret_url = full_storage_url(storage_url, where=where)
            storage_url = redact_url(storage_url)
            # A database may hold many runs' studies: name this one uniquely.
            study_name = f"{config.name}-{_dt.datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
        run.path.mkdir(parents=True, exist_ok=True)
        data = config.model_dump(mode="json")
        data["output"] = str(run.path)
        if storage_url or config.storage:
            data["storage"] = storage_url or redact_url(config.storage)
        run.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
        from codesign import __version__

        info = {"codesign_version": __version__, "created": _dt.datetime.now().isoformat(timespec="seconds"),
                "storage": storage_url or JOURNAL_FILE, "study": study_name}
        (run.path / RUN_FILE).write_text(json.dumps(info, indent=2) + "\n")
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """An existing run directory (a clear error when it is not one)."""
        run = cls(path)
        if not run.path.is_dir():
            raise ConfigError(str(run.path), "run directory not found")
        if not run.path.joinpath(CONFIG_FILE).exists():
            raise ConfigError(str(run.path), f"not a run directory (no {CONFIG_FILE})")
        if not isinstance(read_yaml(run.config_path, "run configuration"), dict):
            raise ConfigError(str(run.config_path), "a run configuration must be a YAML mapping")
        run.info()  # a damaged run.json is named now, not halfway through a command
        return run

    def config(self) -> ExperimentConfig:
        return parse_config(read_yaml(self.config_path, "run configuration"), source=str(self.config_path))

    def info(self) -> dict[str, Any]:
        path = self.path / RUN_FILE
        if not path.exists():
            return {}
        return read_json_object(path, "run file")

    def storage_url(self) -> str | None:
        """The database URL of the study as run files keep it (password redacted), or ``None``
        for the run's journal file."""
        storage = self.info().get("storage", JOURNAL_FILE)
        return None if storage == JOURNAL_FILE else storage

    def use_storage_url(self, url: str, where: str = "--storage") -> None:
        """Give the run's storage URL again, with the password its run files do not keep."""
        stored = self.storage_url()
        if stored is None or redact_url(url) != stored:
            raise ConfigError(where, f"--storage applies to a new run; on --resume it may only repeat the run's "
                                     f"own URL ({stored or 'a journal file'}) to give its password")
        self._secret_url = url

    @property
    def study_name(self) -> str:
        return str(self.info().get("study", STUDY_NAME))

    def storage(self) -> optuna.storages.BaseStorage:
        """The run's Optuna storage (opened once per ``RunDir`` object)."""
        if self._storage is None:
            stored = self.storage_url()
            url = full_storage_url(stored, self._secret_url) if stored else None
            self._storage, self._backend = _storage(self.path, url)
        return self._storage

    def study(self, directions: list[str] | None = None, sampler: optuna.samplers.BaseSampler | None = None) -> optuna.Study:
        """The run's study, created on first use (``directions`` needed then)."""
        storage = self.storage()
        if directions is None:
            return optuna.load_study(study_name=self.study_name, storage=storage, sampler=sampler)
        return optuna.create_study(study_name=self.study_name, storage=storage, directions=directions,
                                   sampler=sampler, load_if_exists=True)

    def flush(self, sync: bool = False) -> None:
        """Write buffered journal logs to the file (``sync``: and ``fsync`` it)."""
        if self._backend is not None:
            self._backend.flush(sync=sync)

    def session(self) -> Session:
        """Hold the run directory while a search runs (see ``codesign.storage.session``)."""
        return Session(self.path)

    def liveness(self) -> Liveness:
        return read_liveness(self.path)

    def trials(self) -> list[TrialRecord]:
        """Every trial of the study, oldest first (empty before the first trial)."""
        if not (self.path / JOURNAL_FILE).exists() and self.storage_url() is None:
            return []
        try:
            study = self.study()
        except KeyError:
            return []
        return trial_records(study)

    def trial(self, number: int) -> TrialRecord:
        for record in self.trials():
            if record.number == number:
                return record
        raise ConfigError("--trial", f"run {self.path} has no trial {number}")
