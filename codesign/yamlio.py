"""Reading user YAML files: ``yaml.safe_load`` only (the C loader when PyYAML has it), and
one-line errors naming the file: missing, a directory, not UTF-8, not YAML, or an alias bomb."""
from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from codesign.errors import ConfigError
from codesign.yamlblock import UNSUPPORTED, block_load, plain_scalar

#: The C-accelerated safe loader (~10x faster on big layer files) when PyYAML was built with it.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Most nodes a document may expand to through its aliases ("billion laughs" guard); a real
#: experiment or 2,000-layer workload file expands to well under 100,000.
MAX_EXPANDED_NODES = 1_000_000


def _expanded_nodes(text: str) -> int:
    """Nodes of the document once every alias is expanded, counted on the event stream (the
    loader shares aliased objects, but whatever walks the result expands them)."""
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, nodes so far] per open collection
    total = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, sizes.get(event.anchor, 1)
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        stack[-1][1] += size
        total = stack[0][1]
        if max(total, size) > MAX_EXPANDED_NODES:
            return max(total, size)
    return total


def parse_yaml_text(text: str, source: str) -> Any:
    """Parse YAML ``text`` (from ``source``, for error messages) with the safe loader."""
    try:
        if "&" in text and _expanded_nodes(text) > MAX_EXPANDED_NODES:
            raise ConfigError(source, f"its aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                                      "(a YAML alias bomb?)")
        return fast_safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(source, f"not valid YAML ({str(exc).splitlines()[0]})") from None
    except RecursionError:
        raise ConfigError(source, "nested too deeply to read") from None


def read_text(path: str | Path, what: str) -> str:
    """The UTF-8 text of ``path``; a missing file, a directory or other bytes raise
    ``ConfigError`` naming the file."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(str(path), f"is a directory, not a {what}")
    if not path.is_file():
        raise ConfigError(str(path), f"{what} not found")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_yaml(path: str | Path, what: str) -> Any:
    """Parse ``path``; a missing file, a directory, non-UTF-8 bytes or invalid YAML raise
    ``ConfigError`` naming ``what``."""
    return parse_yaml_text(read_text(path, what), str(path))


def _plain_value(value: str, cache: dict[str, Any]) -> Any:
    """A plain (untagged, unquoted) scalar as ``safe_load`` reads it, memoised by its text."""
    try:
        return cache[value]
    except KeyError:
        result = cache[value] = plain_scalar(value)
        return result


#: Text that the event-stream reader leaves to PyYAML: anchors, aliases, tags, merge keys.
_SPECIAL = ("&", "*", "!", "<<")


def fast_safe_load(text: str) -> Any:
    """``yaml.safe_load(text)``, fast: text in the plain block subset that layer, experiment and
    preset files use is read line by line (``codesign.yamlblock``); other text is built straight
    from the C parser's events (no node graph, each distinct scalar resolved once), ~4x faster
    than the C loader; documents that use anchors, aliases, tags or merge keys go through
    PyYAML's own safe loader."""
    data = block_load(text)
    if data is not UNSUPPORTED:
        return data
    if any(s in text for s in _SPECIAL):
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader (C or Python) only
    cache: dict[str, Any] = {}
    stack: list[Any] = []
    keys: list[Any] = []
    root: Any = None
    scalar, mapping, sequence = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    pending = object()
    documents = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        kind = type(event)
        if kind is scalar:
            node = _plain_value(event.value, cache) if event.implicit[0] else event.value
        elif kind is mapping or kind is sequence:
            stack.append({} if kind is mapping else [])
            keys.append(pending)
            continue
        elif kind in ends:
            node = stack.pop()
            keys.pop()
        elif kind is yaml.DocumentStartEvent and documents:
            return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - its error: one document only
        else:
            documents += kind is yaml.DocumentStartEvent
            continue
        if not stack:
            root = node
        elif type(stack[-1]) is list:
            stack[-1].append(node)
        elif keys[-1] is pending:
            if not isinstance(node, Hashable):
                return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - its error names the place
            keys[-1] = node
        else:
            stack[-1][keys[-1]] = node
            keys[-1] = pending
    return root


def read_json_object(path: str | Path, what: str) -> dict[str, Any]:
    """A file holding one JSON object; damage is a one-line ``ConfigError`` naming the file."""
    import json

    try:
        data = json.loads(read_text(path, what))
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "expected a JSON object")
    return data
