"""ResNet space built by timm's ``ResNet`` class: per stage, the number of residual blocks and the
stage width; for the whole network, basic (two 3x3 convs, He et al. 2016 for ResNet-18/34) or
bottleneck (1x1 → 3x3 → 1x1 with 4x expansion, ResNet-50 and deeper) blocks.

The key lists the block type and each stage as ``d<blocks>_w<width>``::

    res224|basic|d2_w64|d2_w128|d2_w256|d2_w512          (ResNet-18)
    res224|bottleneck|d3_w64|d4_w128|d6_w256|d3_w512     (ResNet-50)

A stage's width is timm's ``channels`` entry: the output channels of a basic block and the inner
(3x3) channels of a bottleneck block, whose output is 4x wider. The stem is timm's default (7x7
stride-2 conv to 64 channels, 3x3 stride-2 max-pool); stage 1 keeps the resolution, the others
halve it.
"""
from __future__ import annotations

import re
from typing import Any

import torch.nn as nn
from pydantic import BaseModel, ConfigDict, model_validator
from timm.models.resnet import BasicBlock, Bottleneck, ResNet

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import SPACES, SearchSpace, SpaceOptions

BLOCKS: dict[str, type[nn.Module]] = {"basic": BasicBlock, "bottleneck": Bottleneck}
TIMM_STAGES = 4
_STAGE_RE = re.compile(r"^d(\d+)_w(\d+)$")


class ResNetStageOptions(BaseModel):
    """Choices of one stage: number of blocks and width."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    depths: tuple[int, ...]
    widths: tuple[int, ...]

    @model_validator(mode="after")
    def _check(self) -> ResNetStageOptions:
        for name in ("depths", "widths"):
            values = getattr(self, name)
            if not values or any(v < 1 for v in values):
                raise ValueError(f"{name} must be a non-empty list of positive integers")
        return self


# Depths span ResNet-18 (2,2,2,2), ResNet-34 and ResNet-50 (3,4,6,3) and shallower; widths are
# 0.5x, 0.75x and 1x of ResNet's (64, 128, 256, 512) (He et al., CVPR 2016, Table 1).
_DEFAULT_STAGES = (
    ResNetStageOptions(depths=(1, 2, 3), widths=(32, 48, 64)),
    ResNetStageOptions(depths=(1, 2, 3, 4), widths=(64, 96, 128)),
    ResNetStageOptions(depths=(1, 2, 4, 6), widths=(128, 192, 256)),
    ResNetStageOptions(depths=(1, 2, 3), widths=(256, 384, 512)),
)


class ResNetOptions(SpaceOptions):
    stages: tuple[ResNetStageOptions, ...] = _DEFAULT_STAGES
    blocks: tuple[str, ...] = ("basic", "bottleneck")

    @model_validator(mode="after")
    def _check(self) -> ResNetOptions:
        if len(self.stages) != TIMM_STAGES:
            raise ValueError(f"stages must list {TIMM_STAGES} stages (timm's ResNet has layer1..layer4)")
        unknown = [b for b in self.blocks if b not in BLOCKS]
        if not self.blocks or unknown:
            raise ValueError(f"blocks must list some of {', '.join(BLOCKS)}")
        if self.resolution < 2 ** (len(self.stages) + 1):
            raise ValueError(f"resolution must be at least {2 ** (len(self.stages) + 1)} for {len(self.stages)} stages")
        return self


@SPACES.register("resnet")
class ResNetSpace(SearchSpace):
    """timm ResNet: blocks and width per stage, basic or bottleneck blocks."""

    Options = ResNetOptions
    options: ResNetOptions

    def dimensions(self) -> list[Dimension]:
        dims = [Dimension("block", choices=self.options.blocks)]
        for i, stage in enumerate(self.options.stages, start=1):
            dims += [Dimension(f"d{i}", choices=stage.depths), Dimension(f"w{i}", choices=stage.widths)]
        return dims

    def to_key(self, genotype: dict[str, Any]) -> str:
        self.require(genotype)
        stages = [f"d{int(genotype[f'd{i}'])}_w{int(genotype[f'w{i}'])}" for i in range(1, len(self.options.stages) + 1)]
        return "|".join([f"res{self.options.resolution}", str(genotype["block"]), *stages])

    def from_key(self, key: str) -> dict[str, Any]:
        parts = key.split("|")
        n = len(self.options.stages)
        if len(parts) != n + 2 or not parts[0].startswith("res"):
            raise ConfigError("arch", f"{key!r} is not a resnet key (expected res<R>|<{'|'.join(self.options.blocks)}>"
                                      f"|d<blocks>_w<width> x{n})")
        if parts[0] != f"res{self.options.resolution}":
            raise ConfigError("arch", f"resolution {parts[0][3:]} differs from the space's {self.options.resolution}")
        if parts[1] not in self.options.blocks:
            raise ConfigError("arch", f"block {parts[1]!r} is not in the space {list(self.options.blocks)}")
        genotype: dict[str, Any] = {"block": parts[1]}
        for i, (part, stage) in enumerate(zip(parts[2:], self.options.stages, strict=True), start=1):
            match = _STAGE_RE.match(part)
            if not match:
                raise ConfigError("arch", f"stage {i} {part!r} is not d<blocks>_w<width>")
            d, w = map(int, match.groups())
            for value, allowed, what in ((d, stage.depths, "depth"), (w, stage.widths, "width")):
                if value not in allowed:
                    raise ConfigError("arch", f"stage {i} {what} {value} is not in the space {list(allowed)}")
            genotype.update({f"d{i}": d, f"w{i}": w})
        return genotype

    def timm_kwargs(self, arch: ArchSpec) -> dict[str, Any]:
        """The arguments of timm's ``ResNet`` for ``arch`` (the block as its name)."""
        n = len(self.options.stages)
        g = arch.genotype
        return {"block": g["block"], "layers": tuple(g[f"d{i}"] for i in range(1, n + 1)),
                "channels": tuple(g[f"w{i}"] for i in range(1, n + 1)),
                "num_classes": self.options.num_classes, "in_chans": self.options.in_chans}

    def _build(self, arch: ArchSpec) -> nn.Module:
        kwargs = self.timm_kwargs(arch)
        return ResNet(**{**kwargs, "block": BLOCKS[kwargs["block"]]})

    def describe(self, arch: ArchSpec) -> str:
        g, n = arch.genotype, len(self.options.stages)
        return (f"{g['block']} d" + "".join(str(g[f"d{i}"]) for i in range(1, n + 1))
                + " w" + "-".join(str(g[f"w{i}"]) for i in range(1, n + 1)))

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        kwargs = self.timm_kwargs(arch)
        block = {"basic": "BasicBlock", "bottleneck": "Bottleneck"}[kwargs.pop("block")]
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        imports = f"from timm.models.resnet import {block}, ResNet"
        return {"model.py": self.model_script(arch, "timm alone", imports, f"    return ResNet(block={block}, {args})")}
