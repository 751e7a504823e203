"""``Candidate``: one point of the joint space, one part per sub-space."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """Sub-space name → that sub-space's part (an ``ArchSpec`` for ``arch``, an
    ``AcceleratorConfig`` for ``hw``, whatever a plugin's sub-space makes)."""

    parts: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))

    def part(self, name: str) -> Any:
        """The part of sub-space ``name``."""
        try:
            return self.parts[name]
        except KeyError:
            raise KeyError(f"the candidate has no {name!r} part (it has: {', '.join(self.parts) or 'none'})") from None

    def __reduce__(self) -> tuple[Any, ...]:  # MappingProxyType does not pickle (Ray ships candidates)
        return (Candidate, (dict(self.parts),))
