"""``codesign.yamlio``: the event-built fast loader reads every document as ``yaml.safe_load``
does (generated documents of every scalar kind and nesting), and the alias-bomb guard counts
expanded nodes."""
from __future__ import annotations

import datetime
import math
import random

import pytest
import yaml

from codesign.errors import ConfigError
from codesign.yamlio import MAX_EXPANDED_NODES, _expanded_nodes, fast_safe_load, parse_yaml_text

SCALARS = [0, 1, -7, 10**20, 0.5, -2.5e-3, 1e300, math.inf, -math.inf, True, False, None, "", "text", "1",
           "0x1f", "010", "yes", "no", "null", "~", "1e3", "2001-12-14", "a: b", "- x", "#c", "multi\nline",
           "'quoted'", "ü€", datetime.date(2024, 1, 2)]


def _document(rng: random.Random, depth: int = 0):
    kind = rng.random()
    if depth > 3 or kind < 0.4:
        return rng.choice(SCALARS)
    if kind < 0.7:
        return [_document(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {str(rng.choice(SCALARS)) if rng.random() < 0.5 else rng.choice([1, 2.5, True, None, "k"]):
            _document(rng, depth + 1) for _ in range(rng.randrange(0, 4))}


@pytest.mark.parametrize("seed", range(300))
def test_fast_loader_reads_what_safe_load_reads(seed):
    rng = random.Random(seed)
    data = _document(rng)
    text = yaml.safe_dump(data, default_flow_style=rng.choice([True, False, None]), allow_unicode=True)
    assert repr(fast_safe_load(text)) == repr(yaml.safe_load(text))


@pytest.mark.parametrize("text", ["a: 1\n---\nb: 2\n", "? [1, 2]\n: 3\n", "a: &x [1]\nb: *x\n", "a: !!str 5\n",
                                  "<<: {a: 1}\nb: 2\n", "a: -.nan\n", "k: |\n  text\n"])
def test_documents_the_fast_path_leaves_to_pyyaml(text):
    try:
        expected = repr(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        with pytest.raises(yaml.YAMLError):
            fast_safe_load(text)
        assert exc
        return
    assert repr(fast_safe_load(text)) == expected


def test_the_alias_bomb_guard_counts_expanded_nodes():
    assert _expanded_nodes("a: &x [1, 2]\nb: *x\n") == 9  # map, 2 keys, 2 lists of 1+2
    levels = "a: &a [x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}]\n" for p, c in zip("abcdefghijklmnopqrs", "bcdefghijklmnopqrst", strict=True))
    assert _expanded_nodes(levels) > MAX_EXPANDED_NODES
    with pytest.raises(ConfigError, match="alias bomb"):
        parse_yaml_text(levels, "bomb.yaml")
