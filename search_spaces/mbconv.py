"""MBConv (inverted-residual) space in the ProxylessNAS / OFA style, built by timm's EfficientNet
builder from compact block strings.

Architecture as data in timm's three layers: a genotype (per-stage depth, kernel, expansion;
optionally the input resolution) → timm block strings (``ir_r2_k5_s2_e6_c24``) → the torch
model. The canonical key is the block strings themselves, so an exported architecture rebuilds
with timm alone::

    res96|ds_r1_k3_s1_c16|ir_r2_k3_s2_e6_c24|ir_r3_k5_s2_e4_c40|...
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import torch.nn as nn
from pydantic import BaseModel, ConfigDict, Field, model_validator
from timm.models._efficientnet_builder import decode_arch_def
from timm.models.efficientnet import EfficientNet

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import SPACES, SearchSpace, SpaceOptions

_ACTIVATIONS = {"relu": nn.ReLU, "relu6": nn.ReLU6, "hswish": nn.Hardswish, "swish": nn.SiLU}
_IR_RE = re.compile(r"^ir_r(\d+)_k(\d+)_s(\d+)_e(\d+)_c(\d+)$")


class StageOptions(BaseModel):
    """One searchable stage: fixed output channels and stride, searched depth/kernel/expansion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: int = Field(gt=0)
    stride: int = Field(ge=1, le=2)
    depths: tuple[int, ...] = (2, 3, 4)
    kernels: tuple[int, ...] = (3, 5, 7)
    expansions: tuple[int, ...] = (3, 4, 6)

    @model_validator(mode="after")
    def _check(self) -> StageOptions:
        for name in ("depths", "kernels", "expansions"):
            values = getattr(self, name)
            if not values or any(v < 1 for v in values):
                raise ValueError(f"{name} must be a non-empty list of positive integers")
        if any(k % 2 == 0 for k in self.kernels):
            raise ValueError("kernels must be odd")
        return self


# OFA's MobileNetV3 space (Cai et al., ICLR 2020): five searched stages after a fixed first block.
_DEFAULT_STAGES = (
    StageOptions(channels=24, stride=2), StageOptions(channels=40, stride=2),
    StageOptions(channels=80, stride=2), StageOptions(channels=112, stride=1),
    StageOptions(channels=160, stride=2),
)


class MBConvOptions(SpaceOptions):
    stages: tuple[StageOptions, ...] = _DEFAULT_STAGES
    resolutions: tuple[int, ...] = ()
    stem_channels: int = Field(16, gt=0)
    first_block: str = "ds_r1_k3_s1_c16"
    head_channels: int = Field(1280, gt=0)
    activation: str = "relu"

    @model_validator(mode="after")
    def _check(self) -> MBConvOptions:
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(_ACTIVATIONS)}")
        if not self.stages:
            raise ValueError("stages must not be empty")
        if any(r < 32 for r in self.resolutions):
            raise ValueError("resolutions must be >= 32")
        return self


@SPACES.register("mbconv")
class MBConvSpace(SearchSpace):
    """Per stage: depth, depthwise kernel size and expansion ratio (and optionally resolution)."""

    Options = MBConvOptions
    options: MBConvOptions

    def dimensions(self) -> list[Dimension]:
        dims = []
        for i, stage in enumerate(self.options.stages, start=1):
            dims += [Dimension(f"d{i}", choices=stage.depths), Dimension(f"k{i}", choices=stage.kernels),
                     Dimension(f"e{i}", choices=stage.expansions)]
        if len(self.options.resolutions) > 1:
            dims.append(Dimension("resolution", choices=self.options.resolutions))
        return dims

    def _resolution(self, genotype: dict[str, Any]) -> int:
        if len(self.options.resolutions) > 1:
            return int(genotype["resolution"])
        return self.options.resolutions[0] if self.options.resolutions else self.options.resolution

    def to_key(self, genotype: dict[str, Any]) -> str:
        missing = [d.name for d in self.dimensions() if d.name not in genotype]
        if missing:
            raise ConfigError("arch", f"genotype lacks {', '.join(missing)}")
        blocks = [self.options.first_block]
        for i, stage in enumerate(self.options.stages, start=1):
            d, k, e = int(genotype[f"d{i}"]), int(genotype[f"k{i}"]), int(genotype[f"e{i}"])
            blocks.append(f"ir_r{d}_k{k}_s{stage.stride}_e{e}_c{stage.channels}")
        return f"res{self._resolution(genotype)}|" + "|".join(blocks)

    def from_key(self, key: str) -> dict[str, Any]:
        parts = key.split("|")
        stages = self.options.stages
        if len(parts) != len(stages) + 2 or not parts[0].startswith("res"):
            raise ConfigError("arch", f"{key!r} is not an mbconv key "
                                      f"(expected res<R>|{self.options.first_block}|ir_r<d>_k<k>_s<s>_e<e>_c<c> x{len(stages)})")
        if parts[1] != self.options.first_block:
            raise ConfigError("arch", f"first block {parts[1]!r} differs from the space's {self.options.first_block!r}")
        genotype: dict[str, Any] = {}
        for i, (part, stage) in enumerate(zip(parts[2:], stages, strict=True), start=1):
            match = _IR_RE.match(part)
            if not match:
                raise ConfigError("arch", f"stage {i} block {part!r} is not an ir_r<d>_k<k>_s<s>_e<e>_c<c> string")
            d, k, s, e, c = map(int, match.groups())
            if (s, c) != (stage.stride, stage.channels):
                raise ConfigError("arch", f"stage {i} block {part!r}: stride/channels must be s{stage.stride}_c{stage.channels}")
            for value, allowed, what in ((d, stage.depths, "depth"), (k, stage.kernels, "kernel"),
                                         (e, stage.expansions, "expansion")):
                if value not in allowed:
                    raise ConfigError("arch", f"stage {i} {what} {value} is not in the space {list(allowed)}")
            genotype.update({f"d{i}": d, f"k{i}": k, f"e{i}": e})
        try:
            res = int(parts[0][3:])
        except ValueError:
            raise ConfigError("arch", f"bad resolution {parts[0]!r}") from None
        if len(self.options.resolutions) > 1:
            if res not in self.options.resolutions:
                raise ConfigError("arch", f"resolution {res} is not in the space {list(self.options.resolutions)}")
            genotype["resolution"] = res
        elif res != self._resolution({}):
            raise ConfigError("arch", f"resolution {res} differs from the space's {self._resolution({})}")
        return genotype

    def arch_def(self, arch: ArchSpec) -> list[list[str]]:
        """timm's arch_def: one list of block strings per stage."""
        return [[block] for block in arch.key.split("|")[1:]]

    def input_shape(self, arch: ArchSpec) -> tuple[int, int, int]:
        res = self._resolution(arch.genotype)
        return (self.options.in_chans, res, res)

    def _build(self, arch: ArchSpec) -> nn.Module:
        return EfficientNet(
            block_args=decode_arch_def(self.arch_def(arch)),
            num_classes=self.options.num_classes,
            num_features=self.options.head_channels,
            in_chans=self.options.in_chans,
            stem_size=self.options.stem_channels,
            act_layer=_ACTIVATIONS[self.options.activation],
            norm_layer=partial(nn.BatchNorm2d),
        )

    def enumerate(self) -> Iterator[ArchSpec] | None:
        dims = self.dimensions()
        total = 1
        for d in dims:
            total *= d.size or 0
        if total > 1_000_000:
            return None
        return (self.spec(dict(zip([d.name for d in dims], values, strict=True)))
                for values in itertools.product(*(d.choices for d in dims)))

    def describe(self, arch: ArchSpec) -> str:
        g = arch.genotype
        n = len(self.options.stages)
        parts = ["d" + "".join(str(g[f"d{i}"]) for i in range(1, n + 1)),
                 "k" + "".join(str(g[f"k{i}"]) for i in range(1, n + 1)),
                 "e" + "".join(str(g[f"e{i}"]) for i in range(1, n + 1))]
        return f"r{self._resolution(g)} " + " ".join(parts)

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        act = {"relu": "nn.ReLU", "relu6": "nn.ReLU6", "hswish": "nn.Hardswish", "swish": "nn.SiLU"}
        script = f'''"""Rebuild this architecture with timm alone (random weights): python model.py"""
import torch
import torch.nn as nn
from timm.models._efficientnet_builder import decode_arch_def
from timm.models.efficientnet import EfficientNet

ARCH_DEF = {self.arch_def(arch)!r}


def build() -> nn.Module:
    return EfficientNet(
        block_args=decode_arch_def(ARCH_DEF),
        num_classes={self.options.num_classes},
        num_features={self.options.head_channels},
        in_chans={self.options.in_chans},
        stem_size={self.options.stem_channels},
        act_layer={act[self.options.activation]},
        norm_layer=nn.BatchNorm2d,
    )


if __name__ == "__main__":
    model = build().eval()
    x = torch.zeros(1, {self.options.in_chans}, {self._resolution(arch.genotype)}, {self._resolution(arch.genotype)})
    print(model(x).shape, sum(p.numel() for p in model.parameters()), "parameters")
'''
        return {"model.py": script}
