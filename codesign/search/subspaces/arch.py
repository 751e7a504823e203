"""``arch``: the architecture sub-space, a registered search space (``search_spaces/``)
configured by the ``space:`` section; its part is an ``ArchSpec``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codesign.config.schema import SpaceSection
from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.search.subspaces.base import SUBSPACES, SubSpace

if TYPE_CHECKING:  # importing codesign.spaces imports torch; a config is parsed without it
    from codesign.spaces.arch import ArchSpec


@SUBSPACES.register("arch")
class ArchSubSpace(SubSpace):
    """The network: one architecture of the configured search space."""

    Options = SpaceSection
    options: SpaceSection
    section = "space"
    always = True
    title = "architecture"
    stages = ()

    def __init__(self, options: SpaceSection) -> None:
        super().__init__(options)
        from codesign.spaces.base import create_space  # torch: only when the experiment is built

        self.space = create_space(options.name, options.options)
        self._dims = self.space.dimensions()

    def dimensions(self) -> list[Dimension]:
        return self._dims

    def make(self, values: dict[str, Any]) -> ArchSpec:
        return self.space.spec(values)

    def sample(self, trial: Any) -> ArchSpec:
        return self.space.sample(trial)  # spaces with constraints sample their own way

    def from_params(self, values: dict[str, Any]) -> ArchSpec:
        return self.space.from_params({self.prefix + k: v for k, v in values.items()})

    def size(self) -> int | None:
        return self.space.size()

    def where(self, dimension: str) -> str:
        return f"space (dimension {dimension})"

    def to_dict(self, part: ArchSpec) -> dict[str, Any]:
        return part.to_dict()

    def from_dict(self, data: dict[str, Any], where: str = "") -> ArchSpec:
        if not isinstance(data, dict) or "key" not in data:
            raise ConfigError(where or "arch", f"expected an architecture with a 'key', got {data!r}")
        return self.space.parse(data["key"])

    def flat(self, part: ArchSpec) -> dict[str, Any]:
        return dict(part.genotype)

    def key(self, part: ArchSpec) -> str:
        return part.key

    def describe(self, part: ArchSpec) -> str:
        return self.space.describe(part)

    def summary(self, part: ArchSpec) -> dict[str, Any]:
        return {"space": part.space, "arch": part.key}

    def export_files(self, part: ArchSpec) -> dict[str, str]:
        import json

        files = {"arch.json": json.dumps({
            "space": part.space, "options": dict(self.options.options), "key": part.key,
            "genotype": part.genotype, "input_shape": list(self.space.input_shape(part)),
        }, indent=2) + "\n"}
        files.update(self.space.export_files(part))
        return files
