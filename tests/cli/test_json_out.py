"""``codesign.cli.json_out.dumps`` writes exactly the text ``json.dumps(data, default=str,
allow_nan=False)`` writes (or raises the same kind of error), whatever the rows hold: repeated
rows, zeros of either sign, ints, floats and bools that compare equal, NaN, unicode, nested values,
rows of other keys, keys that are not strings, objects only ``default=str`` can write."""
from __future__ import annotations

import enum
import json
import math
import random

import pytest

from codesign.cli.json_out import dumps


class _Kind(enum.IntEnum):
    ONE = 1


_VALUES = [0.0, -0.0, 1.0, 1, True, False, None, 2.5, -1.9e-09, 1e16, 123456.0, math.nan, math.inf, "", "conv",
           'a "quoted" \\ name', "Überschicht 日本", _Kind.ONE, [1, 2], {"k": 1.0}, (3, 4), object]
_SAFE = [v for v in _VALUES if not (isinstance(v, float) and not math.isfinite(v)) and v is not object]


def _rows(rng: random.Random) -> list[dict]:
    keys = ["name", "op", "macs", "cycles", "feasible", "reason"]
    pool = [{k: rng.choice(_SAFE) for k in keys[1:]} for _ in range(rng.randint(1, 4))]
    rows = []
    for i in range(rng.randint(0, 30)):
        row = {"name": rng.choice([f"l{i}", i, None, "ü"]), **rng.choice(pool)}
        if rng.random() < 0.1:
            row[rng.choice(keys[1:])] = rng.choice(_VALUES)
        if rng.random() < 0.05:
            row = {("extra" if rng.random() < 0.5 else 7): 1, **row}
        rows.append(row)
    return rows


def _text(fn, data):
    try:
        return fn(data)
    except (TypeError, ValueError) as exc:
        return type(exc).__name__


@pytest.mark.parametrize("seed", range(200))
def test_dumps_writes_what_json_dumps_writes(seed):
    rng = random.Random(seed)
    data = {"workload": "w", "latency_s": rng.choice(_SAFE), "layers": _rows(rng), "space": "workload",
            rng.choice([1, 2.5, None, True, "k"]): rng.choice([_rows(rng), 3])}
    assert _text(dumps, data) == _text(lambda d: json.dumps(d, default=str, allow_nan=False), data)


def test_repeated_rows_differing_only_in_the_sign_of_a_zero_or_the_type_of_a_one():
    rows = [{"name": "a", "x": 0.0, "y": 1.0}, {"name": "b", "x": -0.0, "y": 1.0}, {"name": "c", "x": 0.0, "y": 1},
            {"name": "d", "x": 0.0, "y": True}, {"name": "e", "x": 0.0, "y": 1.0}]
    text = dumps({"layers": rows})
    assert text == json.dumps({"layers": rows})
    assert '"x": -0.0' in text and '"y": true' in text
