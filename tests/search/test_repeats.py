"""Repeated candidates are answered from their earlier trial, shown once in the front, and the
lookup survives a resume; ``codesign.run()`` writes ``front.json``."""
from __future__ import annotations

import json

import pytest

from codesign import api
from codesign.config.schema import parse_config
from codesign.report.front import compute_front, front_rows
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.search.pipeline import Pipeline
from codesign.storage.run_dir import RunDir
from tests.search.helpers import run_config, small_config

# 12 candidates, 30 random trials: repeats are certain. (The area budget admits the small arrays
# under the pricing layer's areas, so there is a front.)
CONFIG = small_config(strategy={"name": "random"}, budget={"trials": 30}, constraints={"area": "<= 2 mm2"})


def _parts(record):
    return json.dumps(record.parts(), sort_keys=True)


def _count_evaluations(monkeypatch):
    calls = []
    original = Pipeline.evaluate

    def counting(self, candidate, *args, **kwargs):
        calls.append(candidate)
        return original(self, candidate, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "evaluate", counting)
    return calls


@pytest.mark.parametrize("batch", [1, 6])  # 6 in flight: repeats of a trial still being evaluated wait
def test_a_repeat_is_told_the_earlier_answer_without_evaluation(tmp_path, monkeypatch, batch):
    calls = _count_evaluations(monkeypatch)
    run_dir, summary = run_config(tmp_path / "r", {**CONFIG, "executor": {"name": "inline", "batch_size": batch}})
    records = {r.number: r for r in run_dir.trials()}
    repeats = [r for r in records.values() if "repeat_of" in r.result]
    assert summary.finished == 30 and summary.repeated == len(repeats) > 0
    assert len(calls) == 30 - len(repeats) == len({_parts(r) for r in records.values()})
    for r in repeats:
        original = records[r.result["repeat_of"]]
        assert original.number < r.number and "repeat_of" not in original.result
        assert _parts(original) == _parts(r) and r.state == original.state == "COMPLETE"
        assert r.values == original.values and r.constraints == original.constraints
        assert r.metrics == original.metrics and r.result["seconds"] == 0.0


def test_the_front_shows_a_candidate_once_with_its_repeats(tmp_path):
    run_dir, _ = run_config(tmp_path / "r", CONFIG)
    records = run_dir.trials()
    front = compute_front(records, Experiment.build(run_dir.config()).objectives)
    shown = [_parts(r) for r in front.trials]
    assert len(shown) == len(set(shown))
    expected = {r.number: sorted(x.number for x in records if x.result.get("repeat_of") == r.number)
                for r in front.trials}
    rows = front_rows(front)
    assert {row["trial"]: row["repeated_by"] for row in rows} == expected
    assert any(expected.values())  # the check above saw at least one repeated front design


def test_legacy_duplicates_are_shown_once(tmp_path):
    """Runs from before repeats were answered evaluated them again: same parts, no repeat_of."""
    run_dir, _ = run_config(tmp_path / "r", CONFIG)
    records = run_dir.trials()
    for r in records:
        r.result.pop("repeat_of", None)
    front = compute_front(records, Experiment.build(run_dir.config()).objectives)
    shown = [_parts(r) for r in front.trials]
    assert len(shown) == len(set(shown)) and any(front.repeated_by.values())


def test_resume_answers_repeats_of_trials_from_before_the_restart(tmp_path, monkeypatch):
    run_dir = RunDir.create(tmp_path / "r", parse_config(CONFIG))
    run_search(Experiment.from_config(parse_config({**CONFIG, "budget": {"trials": 12}})), run_dir, quiet=True)
    before = {_parts(r) for r in run_dir.trials()}
    calls = _count_evaluations(monkeypatch)
    resumed, summary = run_config(tmp_path / "r", CONFIG, resume=True)
    later = [r for r in resumed.trials() if r.number >= 12]
    answered = [r for r in later if "repeat_of" in r.result and r.result["repeat_of"] < 12]
    assert answered and all(_parts(r) in before for r in answered)
    assert len(calls) == sum("repeat_of" not in r.result for r in later)


def test_library_run_writes_front_json(tmp_path):
    summary = api.run(CONFIG, out=tmp_path / "lib")
    rows = json.loads((tmp_path / "lib" / "front.json").read_text())
    front = compute_front(RunDir.open(summary.run_dir).trials(), summary.experiment.objectives)
    assert rows and [row["trial"] for row in rows] == [r.number for r in front.trials]
