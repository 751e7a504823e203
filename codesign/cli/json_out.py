"""The CLI's JSON text: exactly ``json.dumps(data, default=str, allow_nan=False)``, but a long list
of flat rows (the per-layer costs of a 2,000-layer workload, ~1 KB of JSON each) is encoded row by
row with each repeated row encoded once: layers of one shape cost the same, so a network has far
fewer distinct rows than layers, and encoding thousands of floats is most of what printing costs.
"""
from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii
from typing import Any

#: Value types whose JSON text is a function of the value and its type alone (so equal rows of
#: equal types encode alike, but for the sign of a zero, checked apart).
_PLAIN = frozenset({str, float, int, bool, type(None)})


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, allow_nan=False)


def dumps(data: Any) -> str:
    """``json.dumps(data, default=str, allow_nan=False)``, the same text, faster where ``data`` is a
    mapping holding lists of flat rows."""
    if type(data) is not dict or not any(_is_rows(v) for v in data.values()):
        return _dumps(data)
    parts = []
    for key, value in data.items():
        name = encode_basestring_ascii(key) if type(key) is str else _dumps({key: 0})[1:-4]
        parts.append(f"{name}: {_rows(value) if _is_rows(value) else _dumps(value)}")
    return "{" + ", ".join(parts) + "}"


def _is_rows(value: Any) -> bool:
    return type(value) is list and len(value) > 1 and all(type(row) is dict for row in value)


def _rows(rows: list[dict[Any, Any]]) -> str:
    """A list of dicts: rows with the first row's keys are encoded as their first value (a name)
    plus the text of the rest, remembered by the rest's values and types."""
    keys = tuple(rows[0])
    if len(keys) < 2 or any(type(k) is not str for k in keys):
        return _dumps(rows)
    head, rest_keys = "{" + encode_basestring_ascii(keys[0]) + ": ", keys[1:]
    memo: dict[tuple[Any, ...], tuple[str, tuple[type, ...], tuple[int, ...], tuple[float, ...]]] = {}
    out = []
    for row in rows:
        values = tuple(row.values())
        rest = values[1:]
        if tuple(row) != keys:
            out.append(_dumps(row))
            continue
        types = tuple(map(type, rest))
        try:
            hit = memo.get(rest)
        except TypeError:  # an unhashable value (a nested list or dict)
            out.append(_dumps(row))
            continue
        if hit is not None and hit[1] == types and hit[3] == tuple(math.copysign(1.0, rest[i]) for i in hit[2]):
            text = hit[0]
        else:
            text = _dumps(dict(zip(rest_keys, rest, strict=True)))[1:]  # '"k": v, ...}'
            if hit is None and _PLAIN.issuperset(types):
                zeros = tuple(i for i, v in enumerate(rest) if type(v) is float and v == 0.0)
                memo[rest] = (text, types, zeros, tuple(math.copysign(1.0, rest[i]) for i in zeros))
        first = values[0]
        out.append(head + (encode_basestring_ascii(first) if type(first) is str else _dumps(first)) + ", " + text)
    return "[" + ", ".join(out) + "]"
