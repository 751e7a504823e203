"""Secrets and pickles: a storage password is never written to a run directory, a bundle or a
message (it is given again on ``--resume`` or in ``$CODESIGN_STORAGE_URL``); nothing a user
exchanges holds a pickle; the package reads YAML with the safe loader only."""
from __future__ import annotations

import json
import re
from pathlib import Path

import optuna
import pytest
import yaml

from codesign.storage import run_dir as run_dir_mod
from codesign.storage.run_dir import STORAGE_ENV, redact_url
from tests.search.helpers import synthetic_config

PASSWORD = "s3cr%40t-pw"
URL = f"postgresql://bob:{PASSWORD}@db.example:5432/studies"
PACKAGE = Path(__file__).resolve().parents[2]
#: The first bytes of a pickle (protocol 2 and later) and the names pickles go by.
PICKLE_MAGIC = b"\x80"
PICKLE_SUFFIXES = (".pkl", ".pickle", ".pt", ".pth", ".joblib")


@pytest.mark.parametrize("url,shown", [
    (URL, "postgresql://bob:***@db.example:5432/studies"),
    ("mysql+pymysql://u:p:q@h/db", "mysql+pymysql://u:***@h/db"),
    ("postgresql://bob@host/db", "postgresql://bob@host/db"),
    ("sqlite:///study.db", "sqlite:///study.db"),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


@pytest.fixture
def fake_database(monkeypatch, tmp_path):
    """``RDBStorage`` for any URL, kept in one SQLite file; records the URLs it was opened with."""
    opened: list[str] = []
    real = run_dir_mod._storage
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"

    def storage(path, url):
        if url is None:
            return real(path, url)
        opened.append(url)
        return optuna.storages.RDBStorage(db), None

    monkeypatch.setattr(run_dir_mod, "_storage", storage)
    monkeypatch.setattr(run_dir_mod, "_GIVEN_URLS", {})
    monkeypatch.delenv(STORAGE_ENV, raising=False)
    return opened


def _files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()]


def test_a_storage_password_is_never_written_and_is_given_again(tmp_path, cli, fake_database, monkeypatch):
    config = tmp_path / "exp.yaml"
    config.write_text(yaml.safe_dump(synthetic_config(budget={"trials": 3})))
    out = tmp_path / "run"
    code, text, err = cli("run", str(config), "--out", str(out), "--storage", URL)
    assert code == 0, err
    assert set(fake_database) == {URL}  # the database got the password
    run_dir_mod._GIVEN_URLS.clear()  # what a new process knows
    info = json.loads((out / "run.json").read_text())
    assert info["storage"] == redact_url(URL)
    assert yaml.safe_load((out / "config.yaml").read_text())["storage"] == redact_url(URL)

    # Without the password the run cannot be opened: one line saying how to give it.
    for argv in (("status", str(out)), ("run", "--resume", str(out), "--quiet")):
        code, _, err = cli(*argv)
        assert code == 2 and err.count("\n") == 1 and STORAGE_ENV in err and PASSWORD not in err
    # A URL that is not the run's own is refused.
    code, _, err = cli("run", "--resume", str(out), "--storage", URL.replace("bob", "eve"), "--quiet")
    assert code == 2 and "--storage" in err and PASSWORD not in err
    # Given again on --resume, or in the environment.
    code, _, err = cli("run", "--resume", str(out), "--storage", URL, "--quiet")
    assert code == 0, err
    run_dir_mod._GIVEN_URLS.clear()
    monkeypatch.setenv(STORAGE_ENV, URL)
    code, status, _ = cli("status", str(out), "--json")
    assert code == 0 and json.loads(status)["storage"] == redact_url(URL)
    code, _, err = cli("export", str(out), "--trial", "0", "--out", str(tmp_path / "bundle"), "--no-onnx")
    assert code == 0, err

    for path in _files(out, tmp_path / "bundle"):
        data = path.read_bytes()
        assert PASSWORD.encode() not in data and b"s3cr@t" not in data, path
        assert not data.startswith(PICKLE_MAGIC) and path.suffix not in PICKLE_SUFFIXES, path
    assert PASSWORD not in text + status


def test_a_database_that_cannot_be_opened_is_named_without_its_password(tmp_path, cli):
    config = tmp_path / "exp.yaml"
    config.write_text(yaml.safe_dump(synthetic_config(budget={"trials": 1})))
    code, _, err = cli("run", str(config), "--out", str(tmp_path / "run"), "--storage",
                       f"nodriver+x://bob:{PASSWORD}@127.0.0.1:1/db")
    assert code == 2 and err.count("\n") == 1 and "cannot open" in err and PASSWORD not in err


_UNSAFE = [
    (r"yaml\.(unsafe_)?load\((?![^)]*Loader=SafeLoader)", "yaml.load without the safe loader"),
    (r"yaml\.(Unsafe|Full)?Loader\b", "an unsafe YAML loader"),
    (r"\bpickle\.loads?\(|\bcloudpickle\.|\bdill\.", "unpickling"),
    (r"torch\.load\((?![^)]*weights_only=True)", "torch.load of pickles"),
    (r"allow_pickle\s*=\s*True", "numpy pickles"),
]


def test_the_package_reads_no_pickle_and_yaml_only_safely():
    sources = [p for d in ("codesign", "search_spaces", "accelerators") for p in (PACKAGE / d).rglob("*.py")]
    assert len(sources) > 50
    found = []
    for path in sources:
        text = path.read_text()
        for pattern, what in _UNSAFE:
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PACKAGE)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_the_grep_finds_what_it_looks_for(tmp_path):
    """The patterns above match the unsafe calls (so an empty result means something)."""
    bad = ["yaml.load(text)", "yaml.load(t, Loader=yaml.Loader)", "yaml.unsafe_load(t)", "pickle.load(f)",
           "torch.load(path)", "np.load(p, allow_pickle=True)"]
    for line in bad:
        assert any(re.search(pattern, line) for pattern, _ in _UNSAFE), line
    assert not any(re.search(p, "yaml.load(text, Loader=SafeLoader)") for p, _ in _UNSAFE)
