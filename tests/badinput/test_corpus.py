"""Every case of the generated bad-input corpus (``corpus.py``): exactly one line on stderr that
names the field and what is wrong, exit status 2, no traceback, no hang, nothing on disk changed.

Cases run in-process through ``codesign.cli.main.main`` (milliseconds each); a few run as real
subprocesses in ``test_subprocess.py``. The watchdog is a hang detector (a case that never
returns), not a timed assertion: its limit is far above any case's cost."""
from __future__ import annotations

import contextlib
import io
import signal
from pathlib import Path

import pytest

from tests.badinput.corpus import Case, all_cases

CASES = all_cases()
#: Seconds after which a case is taken to hang.
HANG_S = 120


class Hang(Exception):
    pass


def materialise(case: Case, root: Path) -> None:
    """Write the case's files (``None``: a directory) under ``root``."""
    for rel, content in sorted(case.files.items()):
        path = root / rel
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (``None`` for a directory)."""
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    from codesign.cli.main import main

    out, err = io.StringIO(), io.StringIO()

    def expire(signum, frame):
        raise Hang(f"{argv} did not return within {HANG_S} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HANG_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


def check_one_line_error(case: Case, code: int, err: str) -> None:
    lines = err.splitlines()
    assert code == 2, f"exit {code}, stderr: {err[-2000:]}"
    assert len(lines) == 1, f"{len(lines)} lines on stderr:\n{err[-3000:]}"
    line = lines[0]
    assert "Traceback" not in err and line.startswith("codesign: error: "), line
    assert case.needle in line, f"the error does not name {case.needle!r}: {line}"
    assert len(line) < 600, line


@pytest.fixture
def preset_dir(monkeypatch, tmp_path):
    """Serve presets from a directory of the test's own."""
    import codesign.hardware.presets as presets

    folder = tmp_path / "presets"
    folder.mkdir()
    presets.presets.cache_clear()
    monkeypatch.setattr(presets, "_preset_dir", lambda: folder)
    yield folder
    presets.presets.cache_clear()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_naming_the_field(case, tmp_path, request):
    root = tmp_path / "case"
    root.mkdir()
    materialise(case, root)
    if case.presets is not None:
        folder = request.getfixturevalue("preset_dir")
        for name, text in case.presets.items():
            (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    before = snapshot(root)
    code, _, err = run_in_process([a.replace("{d}", str(root)) for a in case.argv])
    check_one_line_error(case, code, err.replace(str(root) + "/", ""))
    assert snapshot(root) == before, "the failed command changed what was on disk"


def test_the_corpus_covers_every_source():
    kinds = {c.id.split(":")[0] for c in CASES}
    assert kinds == {"experiment", "accelerator-file", "preset", "layers", "cli"}
    commands = {c.id.split(":")[1] for c in CASES if c.id.startswith("cli:")}
    from tests.badinput.corpus import VALID_ARGV

    assert set(VALID_ARGV) <= commands | {"--set", "--space-option"}
