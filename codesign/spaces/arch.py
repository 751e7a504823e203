"""``ArchSpec``: one architecture of a search space, as data."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ArchSpec:
    """Search-space name, canonical key and genotype (a plain, JSON-able dict).

    The key is the space's canonical string for the genotype (timm block strings for the MBConv
    space, the standard arch string for NAS-Bench-201); ``space.from_key(key)`` gives the
    genotype back. Equality and hashing use (space, key) only.
    """

    space: str
    key: str
    genotype: dict[str, Any] = field(compare=False, hash=False)

    @property
    def ref(self) -> str:
        """``space:key``, unique across spaces."""
        return f"{self.space}:{self.key}"

    def to_dict(self) -> dict[str, Any]:
        return {"space": self.space, "key": self.key, "genotype": self.genotype}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchSpec:
        return cls(space=data["space"], key=data["key"], genotype=dict(data["genotype"]))

    def __str__(self) -> str:
        return self.ref

    def genotype_json(self) -> str:
        return json.dumps(self.genotype, sort_keys=True)
