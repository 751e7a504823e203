"""``codesign.yamlblock``: the line-by-line reader gives what ``yaml.safe_load`` gives on every text
it takes (hand-written edge cases, layer files, generated documents, and thousands of random
mutations, valid and not), declines what it does not cover, and ``fast_safe_load`` takes it first
and falls back to PyYAML when it declines."""
from __future__ import annotations

import random

import pytest
import yaml

from codesign import yamlio
from codesign.workload import Layer, Workload
from codesign.yamlblock import UNSUPPORTED, block_load
from tests.test_yamlio import _document

#: Texts inside the subset: the fast reader must take them (and read them as safe_load does).
TAKEN = {
    "layer file": "name: net\ninput_shape: []\nlayers:\n- name: c0\n  op: conv\n  K: 64\n  R: 3\n- name: fc\n  op: linear\n",
    "comments and blanks": "# header\n\na: 1  # trailing\n   # indented comment\n\nb: two # words\n",
    "hash inside a word": "a: b#c\nb: 'x # y'\nc: \"# z\"  # real comment\n",
    "compact and indented sequences": "a:\n- 1\n- 2\nb:\n  - x\n  -   y\nc: 3\n",
    "nested maps in items": "- name: a\n  extra:\n    kind: relu\n    n: 2\n  op: act\n- name: b\n",
    "wide item indent": "-   k: 1\n    j: 2\n-    3\n",
    "four-space indent": "top:\n    mid:\n        leaf: 1\n    other: 2\n",
    "empty values": "a:\nb: ~\nc: null\nd:\n-\n- \ne: []\nf: {}\ng: ''\nh: \"\"\n",
    "scalars PyYAML resolves": "i: 12\nneg: -7\nhex: 0x1f\noct: 010\nsexa: 1:30\nf: 1.5e3\nfl: .5\ninf: .inf\n"
                               "ninf: -.inf\nnan_text: -.nan\nb1: yes\nb2: Off\nb3: TRUE\nd: 2001-12-14\n"
                               "big: 123456789012345678901234567890\nplus: +3\nus: 1_000\n",
    "strings that look special": "a: conv\nb: '1'\nc: \"true\"\nd: ---\ne: -x\nf: a:b\ng: http://x/y\nh: x - y\n",
    "keys PyYAML resolves": "1: one\n2.5: float\ntrue: bool\nnull: none\n0x10: hex\n",
    "duplicate keys (last wins)": "a: 1\nb: 2\na: 3\n",
    "equal keys of two types": "1: int\n1.0: float\n",
    "unicode": "name: Überschicht\nmapping: 'π ≈ 3.14'\nnote: \"日本語\"\nemoji: 🙂\n",
    "flow lists": "shape: [1, 3, 224, 224]\nwords: [a b, c]\nempty: [ ]\nmixed: [1, x, 2.5, yes, ~]\n",
    "root sequence": "- 1\n- two\n- [3]\n-\n  a: 4\n",
    "indented root": "  a: 1\n  b:\n    - 2\n",
    "no final newline and trailing spaces": "a: 1   \nb: text  \nc:   ",
    "only comments": "# nothing here\n\n",
    "empty text": "",
}

#: Texts outside the subset: the fast reader declines, PyYAML answers (a value or an error).
DECLINED = {
    "anchor and alias": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 5\n",
    "merge key": "base: {a: 1}\n<<: {b: 2}\n",
    "block scalar": "k: |\n  text\n",
    "folded scalar": "k: >\n  text\n",
    "multi-line plain scalar": "a: one\n  two\n",
    "flow mapping": "a: {b: 1}\n",
    "nested flow list": "a: [1, [2]]\n",
    "negative in flow list": "a: [-1, 2]\n",
    "trailing comma": "a: [1, 2,]\n",
    "quoted key": "'a': 1\n",
    "escaped double quote": "a: \"x\\ty\"\n",
    "escaped single quote": "a: 'it''s'\n",
    "quoted then text": "a: 'x' y\n",
    "document marker": "---\na: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "tab": "a:\t1\n",
    "CRLF": "a: 1\r\nb: 2\r\n",
    "byte order mark": "\ufeffa: 1\n",
    "next line": "a: 1\x85b: 2\n",
    "nested item on one line": "- - x\n",
    "item as a value": "a: - x\n",
    "mapping in a value": "a: b: c\n",
    "value ending in a colon": "a: b:\n",
    "bad dedent": "a:\n    b: 1\n  c: 2\n",
    "item among keys": "a: 1\n- x\n",
    "key among items": "- x\na: 1\n",
    "key among indented items": "a:\n  - x\n  b: 1\n",
    "value indicator": "a: =\n",
    "merge scalar": "a: <<\n",
    "reserved indicator": "a: @x\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "complex key": "? a\n: 1\n",
    "a scalar document": "just text\n",
    "key without space": "a:1\n",
}


#: PyYAML's pure-Python safe loader and, where PyYAML has it, the C one ``codesign.yamlio`` uses
#: (they differ on a few edge cases, e.g. a tab after ``:``, which the fast reader declines).
LOADERS = sorted({yaml.SafeLoader, yamlio.SafeLoader}, key=lambda cls: cls.__name__)


def _assert_same(text: str, got):
    for loader in LOADERS:
        try:
            want = yaml.load(text, Loader=loader)  # noqa: S506 - safe loaders only
        except yaml.YAMLError as exc:
            pytest.fail(f"the fast reader took text {loader.__name__} refuses ({str(exc).splitlines()[0]}): {text!r}")
        assert repr(got) == repr(want), loader


@pytest.mark.parametrize("name", TAKEN)
def test_text_in_the_subset_is_read_as_safe_load_reads_it(name):
    got = block_load(TAKEN[name])
    assert got is not UNSUPPORTED
    _assert_same(TAKEN[name], got)


@pytest.mark.parametrize("name", DECLINED)
def test_text_outside_the_subset_is_declined_and_pyyaml_answers(name):
    text = DECLINED[name]
    assert block_load(text) is UNSUPPORTED
    try:
        want = repr(yaml.load(text, Loader=yamlio.SafeLoader))  # noqa: S506 - the loader yamlio uses
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            yamlio.fast_safe_load(text)
        return
    assert repr(yamlio.fast_safe_load(text)) == want


def test_values_are_fresh_objects_per_use():
    data = block_load("a: []\nb: []\nc: {}\nd: {}\ne: [1]\nf: [1]\n")
    assert data["a"] is not data["b"] and data["c"] is not data["d"] and data["e"] is not data["f"]


def test_a_saved_workload_is_read_by_the_fast_path(monkeypatch, tmp_path):
    rng = random.Random(3)
    layers = tuple(Layer(name=f"l{i}", op=rng.choice(["conv", "linear", "act"]), K=8, C=8, P=rng.choice([1, 7]),
                         ops_per_output=rng.choice([1.0, 2.5]), stride_h=rng.choice([1, 2])) for i in range(50))
    path = tmp_path / "w.yaml"
    Workload("net", layers, input_shape=(1, 8, 7, 7)).save_yaml(path)

    def refuse(*_args, **_kwargs):
        raise AssertionError("PyYAML was asked to parse a file inside the fast reader's subset")

    monkeypatch.setattr(yamlio.yaml, "parse", refuse)
    monkeypatch.setattr(yamlio.yaml, "load", refuse)
    loaded = Workload.load_yaml(path)
    assert loaded.layers == layers and loaded.input_shape == (1, 8, 7, 7)


@pytest.mark.parametrize("seed", range(100))
def test_generated_block_documents(seed):
    rng = random.Random(seed)
    text = yaml.safe_dump(_document(rng), default_flow_style=False, allow_unicode=rng.random() < 0.5,
                          indent=rng.choice([2, 4]), width=10**6)
    got = block_load(text)
    if got is not UNSUPPORTED:
        _assert_same(text, got)


_BASE = """# layers
name: net  # comment
input_shape: [1, 3, 224, 224]
meta:
  note: 'quoted # not a comment'
  other: "dq"
  empty:
  list:
  - a
  - 1.5
  -
  - ~
layers:
- name: conv0
  op: conv
  K: 64
  extra: {}
- name: c1
  op: conv
  H: 0x1f
  flag: yes
  when: 2001-12-14
  nested:
  -   x: 1
      y:
        - 1
        - [2]
"""
_PIECES = [" ", ":", "-", "#", "\n", "'", '"', "[", "]", "{", "}", "x", "1", ",", ".", "&", "*", "!", "|", ">",
           "?", "  ", "- ", ": ", "\t", "é", "~", "%", "@"]


@pytest.mark.parametrize("seed", range(8))
def test_random_mutations_are_read_as_safe_load_reads_them_or_declined(seed):
    """Insertions, deletions and swapped lines of a document: valid YAML and not. Whatever the fast
    reader takes, PyYAML must take too and read the same way."""
    rng = random.Random(seed)
    taken = 0
    for _ in range(400):
        text = _BASE
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(text) + 1)
            op = rng.random()
            if op < 0.5:
                text = text[:pos] + rng.choice(_PIECES) + text[pos:]
            elif op < 0.8:
                text = text[:pos] + text[pos + rng.randint(1, 3):]
            else:
                lines = text.split("\n")
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                text = "\n".join(lines)
        got = block_load(text)
        if got is not UNSUPPORTED:
            taken += 1
            _assert_same(text, got)
    assert taken > 20  # the mutations do reach the fast reader, not only the fallback
