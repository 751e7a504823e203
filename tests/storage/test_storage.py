"""Run-directory storage: the buffered journal (Optuna's format), an RDB URL instead, and the
session file that tells a running run from an interrupted one."""
from __future__ import annotations

import json
import os

import optuna
import pytest
from optuna.storages.journal import JournalFileBackend, JournalStorage

from codesign.config.schema import parse_config
from codesign.errors import CodesignError, ConfigError
from codesign.storage.journal import BufferedJournalFile
from codesign.storage.run_dir import RunDir
from codesign.storage.session import SESSION_FILE, Session, read_liveness
from tests.search.helpers import run_config, synthetic_config


def _fill(study: optuna.Study, n: int) -> None:
    for i in range(n):
        trial = study.ask()
        x = trial.suggest_float("x", 0, 1)
        trial.suggest_categorical("c", ["a", "b"])
        trial.set_user_attr("result", {"i": i})
        trial.set_constraint("mappable", 0.0 if i % 2 else 0.5)
        study.tell(trial, [x, float("inf") if i == 3 else -x])


def test_buffered_journal_is_optunas_format_and_writes_on_flush(tmp_path):
    path = str(tmp_path / "study.journal")
    backend = BufferedJournalFile(path)
    study = optuna.create_study(study_name="s", storage=JournalStorage(backend), directions=["minimize"] * 2,
                                sampler=optuna.samplers.RandomSampler(seed=0))
    _fill(study, 5)
    assert backend.pending > 0 and os.path.getsize(path) == 0  # buffered, yet the study sees it all
    assert len(study.trials) == 5
    backend.flush(sync=True)
    assert backend.pending == 0
    theirs = optuna.load_study(study_name="s", storage=JournalStorage(JournalFileBackend(path)))
    ours = optuna.load_study(study_name="s", storage=JournalStorage(BufferedJournalFile(path)))
    for other in (theirs, ours):
        assert [(t.params, t.values, t.constraints, t.user_attrs, t.state) for t in other.trials] == \
               [(t.params, t.values, t.constraints, t.user_attrs, t.state) for t in study.trials]
    assert theirs.trials[3].values[1] == float("inf")
    # Appending after a reload continues the same log.
    _fill(ours, 2)
    ours._storage._backend.flush()
    assert len(optuna.load_study(study_name="s", storage=JournalStorage(JournalFileBackend(path))).trials) == 7


def test_a_torn_last_line_is_cut_off_and_the_journal_goes_on(tmp_path):
    path = str(tmp_path / "study.journal")
    backend = BufferedJournalFile(path)
    study = optuna.create_study(study_name="s", storage=JournalStorage(backend))
    _fill_single = lambda: study.tell(study.ask(), 1.0)  # noqa: E731
    _fill_single()
    backend.flush()
    with open(path, "ab") as f:
        f.write(b'{"op_code": 4, "worker_id": "x", "trial_i')  # a writer killed mid-append
    reader = BufferedJournalFile(path)
    again = optuna.load_study(study_name="s", storage=JournalStorage(reader))
    assert len(again.trials) == 1
    again.tell(again.ask(), 2.0)
    reader.flush()
    final = optuna.load_study(study_name="s", storage=JournalStorage(JournalFileBackend(path)))
    assert [t.value for t in final.trials] == [1.0, 2.0]


def test_a_second_writer_is_refused(tmp_path):
    path = str(tmp_path / "study.journal")
    first, second = BufferedJournalFile(path), BufferedJournalFile(path)
    study_a = optuna.create_study(study_name="s", storage=JournalStorage(first))
    first.flush()
    study_b = optuna.load_study(study_name="s", storage=JournalStorage(second))
    trial = study_b.ask()  # b's logs wait in its buffer ...
    study_a.tell(study_a.ask(), 1.0)
    first.flush()  # ... while a appends to the file
    with pytest.raises(CodesignError, match="another process wrote to this journal"):
        study_b.tell(trial, 2.0)
    # Without buffered logs, reading what another process appended is fine (Optuna's protocol).
    third = BufferedJournalFile(path)
    study_c = optuna.load_study(study_name="s", storage=JournalStorage(third))
    study_a.tell(study_a.ask(), 3.0)
    first.flush()
    assert [t.value for t in study_c.trials] == [1.0, 3.0]


def test_rdb_storage_from_the_config_and_the_command_line(tmp_path, cli):
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    run_dir, summary = run_config(tmp_path / "a", synthetic_config(storage=url, budget={"trials": 4}))
    info = run_dir.info()
    assert info["storage"] == url and info["study"].startswith("tiny-") and summary.finished == 4
    assert not (run_dir.path / "study.journal").exists()
    assert len(RunDir.open(run_dir.path).trials()) == 4
    assert optuna.load_study(study_name=info["study"], storage=url).trials[0].values is not None
    # A second run in the same database gets its own study; --storage overrides the config.
    config = tmp_path / "exp.yaml"
    import yaml

    config.write_text(yaml.safe_dump(synthetic_config(budget={"trials": 3})))
    code, _, err = cli("run", str(config), "--out", str(tmp_path / "b"), "--storage", url, "--quiet")
    assert code == 0, err
    other = RunDir.open(tmp_path / "b")
    assert other.info()["storage"] == url and other.info()["study"] != info["study"]
    assert len(other.trials()) == 3 and len(optuna.get_all_study_names(url)) == 2
    code, out, _ = cli("status", str(tmp_path / "b"), "--json")
    assert json.loads(out)["state"] == "complete" and json.loads(out)["storage"] == url
    # Resume keeps the database.
    code, _, err = cli("run", "--resume", str(tmp_path / "b"), "--quiet")
    assert code == 0 and len(other.trials()) == 3


@pytest.mark.parametrize("url,needle", [
    ("not a url", "storage: not a database URL: 'not a url'"),
    ("nodriver+x://host/db", "storage: cannot open"),
])
def test_bad_storage_urls_are_one_line_errors(tmp_path, url, needle):
    with pytest.raises(ConfigError) as err:
        cfg = parse_config(synthetic_config(storage=url))
        RunDir.create(tmp_path / "r", cfg).study(["minimize"])
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_run_held_by_a_live_process_is_not_run_twice(tmp_path):
    run_dir, _ = run_config(tmp_path / "r", synthetic_config(budget={"trials": 2}))
    assert read_liveness(run_dir.path).state == "ended"
    with Session(run_dir.path):
        assert read_liveness(run_dir.path).state == "running"
        with pytest.raises(CodesignError, match="a search is running on it"):
            run_config(tmp_path / "r", synthetic_config(budget={"trials": 4}), resume=True)
    assert read_liveness(run_dir.path).state == "ended"
    # A holder that died (its pid is gone) does not block a resume.
    info = json.loads((run_dir.path / SESSION_FILE).read_text())
    info.update(state="running", pid=2 ** 22 + 12345)
    (run_dir.path / SESSION_FILE).write_text(json.dumps(info))
    assert read_liveness(run_dir.path).state == "dead"
    _, summary = run_config(tmp_path / "r", synthetic_config(budget={"trials": 4}), resume=True)
    assert summary.finished == 2  # the budget is the run's own (config.yaml), already reached


def test_storage_is_not_changed_on_resume(tmp_path, cli):
    run_dir, _ = run_config(tmp_path / "r", synthetic_config(budget={"trials": 2}))
    code, _, err = cli("run", "--resume", str(run_dir.path), "--storage", "sqlite:///x.db")
    assert code == 2 and "--storage applies to a new run" in err and err.count("\n") == 1
