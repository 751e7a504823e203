"""Plain-text helpers shared by the CLI commands (no rich, no heavy imports)."""
from __future__ import annotations


def first_paragraph(cls: type) -> str:
    """First paragraph of a class's docstring, on one line."""
    return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
