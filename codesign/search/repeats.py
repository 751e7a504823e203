"""Repeated candidates: a candidate whose every part (by ``SubSpace.key``) equals that of an
earlier complete trial is answered from that trial instead of being evaluated again.

A sampler may propose the same design twice (NSGA-II's mutation, TPE on a small discrete space);
the pipeline is deterministic, so the earlier outcome is the answer. The repeat is still told
(the sampler learns the design was tried again) with the earlier trial's values and constraints,
and its result names the trial it repeats (``result["repeat_of"]``). Failed trials are not
reused: an evaluation error (a timeout, a worker lost) says nothing about the design.

The index is rebuilt from the stored trials on resume (their parts, read back with
``SubSpace.from_dict``), so a resumed run answers repeats of trials from before the restart.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from codesign.storage.run_dir import TrialRecord
from codesign.storage.trial_attrs import PARTS

#: Key in a trial's stored result naming the earlier trial it repeats.
REPEAT_OF = "repeat_of"

CandidateKey = tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """An earlier complete trial: its number, the values and constraints it was told, its result."""

    number: int
    values: tuple[float, ...]
    constraints: dict[str, float]
    result: dict[str, Any]

    def repeat_result(self) -> dict[str, Any]:
        """The stored result of a trial that repeats this one: its result, naming this trial,
        with no evaluation time of its own."""
        result = dict(self.result)
        result.update({REPEAT_OF: self.number, "seconds": 0.0, "arch_seconds": 0.0, "cache_hit": True})
        return result


def candidate_key(subspaces: Mapping[str, Any], parts: Mapping[str, Any]) -> CandidateKey:
    """The candidate's identity: each sub-space's canonical key of its part, in sub-space order."""
    return tuple(sub.key(parts[name]) for name, sub in subspaces.items())


class RepeatIndex:
    """Earlier complete trials by candidate key (the first trial of each candidate)."""

    def __init__(self, subspaces: Mapping[str, Any]) -> None:
        self.subspaces = subspaces
        self._answers: dict[CandidateKey, Answer] = {}

    def key(self, parts: Mapping[str, Any]) -> CandidateKey:
        return candidate_key(self.subspaces, parts)

    def lookup(self, key: CandidateKey) -> Answer | None:
        return self._answers.get(key)

    def add(self, key: CandidateKey, answer: Answer) -> None:
        """Record a complete trial (an earlier answer for the same key is kept)."""
        self._answers.setdefault(key, answer)

    def __len__(self) -> int:
        return len(self._answers)

    def add_records(self, records: Iterable[TrialRecord]) -> None:
        """Index the complete trials of a stored run (on resume); trials whose parts no longer
        parse (another version of a sub-space) are skipped, so they are simply evaluated again."""
        for r in records:
            if r.state != "COMPLETE" or r.values is None:
                continue
            stored = r.result.get(PARTS)
            if not isinstance(stored, dict) or set(stored) != set(self.subspaces):
                continue
            try:
                parts = {name: sub.from_dict(stored[name]) for name, sub in self.subspaces.items()}
            except Exception:  # noqa: BLE001 - an unreadable old part is re-evaluated, not fatal
                continue
            original = r.result.get(REPEAT_OF, r.number)
            self.add(self.key(parts), Answer(int(original), tuple(r.values), dict(r.constraints), dict(r.result)))
