"""A handful of corpus cases as real processes (``python -m codesign.cli.main``): the same one
line and exit status 2 from the console entry point, with warnings and start-up included. The
subprocess timeout is a hang detector, not a timed assertion."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.badinput.corpus import all_cases
from tests.badinput.test_corpus import check_one_line_error, materialise, snapshot

#: One case of each kind of source and fault.
PICKED = ("experiment:accelerator.search@systolic:list", "layers:layers[1].ops_per_output:nan",
          "accelerator-file:file:alias-bomb", "cli:--set:empty-key")
CASES = [c for c in all_cases() if c.id in PICKED]


def test_every_picked_case_exists():
    assert sorted(c.id for c in CASES) == sorted(PICKED)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_one_line_from_a_real_process(case, tmp_path):
    materialise(case, tmp_path)
    before = snapshot(tmp_path)
    argv = [a.replace("{d}", str(tmp_path)) for a in case.argv]
    proc = subprocess.run([sys.executable, "-m", "codesign.cli.main", *argv], capture_output=True, text=True,
                          timeout=600)
    check_one_line_error(case, proc.returncode, proc.stderr.replace(str(tmp_path) + "/", ""))
    assert snapshot(tmp_path) == before
