"""Architecture-key files (``--arch-file``): one key per line; blank lines and ``#`` comments
are skipped, and every key keeps the line number it has in the file, for error messages."""
from __future__ import annotations

from pathlib import Path

from codesign.errors import ConfigError
from codesign.yamlio import read_text


def read_arch_keys(path: str | Path) -> list[tuple[int, str]]:
    """``(line number, key)`` of every key in ``path`` (1-based, as an editor shows them)."""
    text = read_text(path, "architecture file")
    out = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        key = line.strip()
        if key and not key.startswith("#"):
            out.append((line_no, key))
    if not out:
        raise ConfigError(str(path), "holds no architecture keys (one per line; # starts a comment)")
    return out
