"""MBConv (inverted-residual) space in the ProxylessNAS / OFA / FBNet style, built by timm's
EfficientNet builder from compact block strings.

Architecture as data in timm's three layers: a genotype (per stage: depth, depthwise kernel,
expansion ratio, width, squeeze-excite on/off, activation; optionally the input resolution) →
timm block strings → the torch model. The canonical key is the block strings themselves, so an
exported architecture rebuilds with timm alone::

    res96|ds_r1_k3_s1_c16|ds_r2_k3_s2_c24|ir_r3_k5_s2_e4_c40_se0.25|ir_r4_k3_s2_e6_c80_nhs|...

Canonical block strings: expansion 1 is timm's ``ds`` block (depthwise → pointwise, no expansion
conv, as MobileNetV2's t=1 block), any other expansion an ``ir`` block; ``_se<ratio>`` only when
squeeze-excite is on; ``_n<act>`` only when the stage's activation differs from the network's
``activation`` option. So keys written before a space searched SE or activations stay valid.
"""
from __future__ import annotations

import re
from functools import partial
from typing import Any

import torch.nn as nn
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from timm.models._efficientnet_builder import decode_arch_def
from timm.models.efficientnet import EfficientNet

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import SPACES, SearchSpace, SpaceOptions
from codesign.workload import Workload
from search_spaces._mbconv_workload import UnknownModel, efficientnet_workload

_ACTIVATIONS = {"relu": nn.ReLU, "relu6": nn.ReLU6, "hswish": nn.Hardswish, "swish": nn.SiLU}
_ACT_SOURCE = {"relu": "nn.ReLU", "relu6": "nn.ReLU6", "hswish": "nn.Hardswish", "swish": "nn.SiLU"}
#: timm's block-string activation codes (``_efficientnet_builder._decode_block_str``).
_ACT_CODES = {"relu": "re", "relu6": "r6", "hswish": "hs", "swish": "sw"}
_CODE_ACTS = {code: act for act, code in _ACT_CODES.items()}
_BLOCK_RE = re.compile(r"^(?P<type>ir|ds)_r(?P<d>\d+)_k(?P<k>\d+)_s(?P<s>\d+)(?:_e(?P<e>\d+))?_c(?P<c>\d+)"
                       r"(?:_se(?P<se>[0-9.]+))?(?:_n(?P<act>[a-z0-9]+))?$")


class StageOptions(BaseModel):
    """One searchable stage: its stride, and the choices of depth, kernel, expansion, width
    (output channels: one value is fixed, a list is searched), squeeze-excite and activation.
    ``se`` and ``activations`` default to not searched (no SE, the network's activation)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: tuple[int, ...]
    stride: int = Field(ge=1, le=2)
    depths: tuple[int, ...] = (2, 3, 4)
    kernels: tuple[int, ...] = (3, 5, 7)
    expansions: tuple[int, ...] = (1, 3, 4, 6)
    se: tuple[bool, ...] = (False,)
    activations: tuple[str, ...] = ()

    @field_validator("channels", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _check(self) -> StageOptions:
        for name in ("channels", "depths", "kernels", "expansions"):
            values = getattr(self, name)
            if not values or any(v < 1 for v in values):
                raise ValueError(f"{name} must be a positive integer or a non-empty list of them")
        if any(k % 2 == 0 for k in self.kernels):
            raise ValueError("kernels must be odd")
        if not self.se:
            raise ValueError("se must list at least one of false, true")
        unknown = [a for a in self.activations if a not in _ACTIVATIONS]
        if unknown:
            raise ValueError(f"activation {unknown[0]!r} is not one of {', '.join(_ACTIVATIONS)}")
        return self


# OFA's MobileNetV3 space (Cai et al., ICLR 2020): five searched stages after a fixed first block,
# with OFA's per-stage depths {2,3,4}, kernels {3,5,7} and strides. Widths: OFA's channels
# (24, 40, 80, 112, 160) with one step below and above (8 channels in the first two stages, 16 in
# the others), our choice for a per-stage width search in the FBNetV2 manner. Squeeze-excite and
# ReLU / h-swish are searched per stage, the two choices MobileNetV3 mixes across its stages.
_SE_ACT = {"se": (False, True), "activations": ("relu", "hswish")}
_DEFAULT_STAGES = (
    StageOptions(channels=(16, 24, 32), stride=2, **_SE_ACT),
    StageOptions(channels=(32, 40, 48), stride=2, **_SE_ACT),
    StageOptions(channels=(64, 80, 96), stride=2, **_SE_ACT),
    StageOptions(channels=(96, 112, 128), stride=1, **_SE_ACT),
    StageOptions(channels=(144, 160, 176), stride=2, **_SE_ACT),
)


class MBConvOptions(SpaceOptions):
    stages: tuple[StageOptions, ...] = _DEFAULT_STAGES
    resolutions: tuple[int, ...] = ()
    stem_channels: int = Field(16, gt=0)
    first_block: str = "ds_r1_k3_s1_c16"
    head_channels: int = Field(1280, gt=0)
    activation: str = "relu"
    se_ratio: float = Field(0.25, gt=0, le=1, description="squeeze-excite reduction, of the block's input channels")

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
    """Per stage: depth, kernel, expansion, width, squeeze-excite, activation (and optionally resolution)."""

    Options = MBConvOptions
    options: MBConvOptions

    def _stage_dims(self, i: int, stage: StageOptions) -> list[Dimension]:
        dims = [Dimension(f"d{i}", choices=stage.depths), Dimension(f"k{i}", choices=stage.kernels),
                Dimension(f"e{i}", choices=stage.expansions)]
        if len(stage.channels) > 1:
            dims.append(Dimension(f"w{i}", choices=stage.channels))
        if len(stage.se) > 1:
            dims.append(Dimension(f"se{i}", choices=stage.se))
        if len(stage.activations) > 1:
            dims.append(Dimension(f"a{i}", choices=stage.activations))
        return dims

    def dimensions(self) -> list[Dimension]:
        dims = []
        for i, stage in enumerate(self.options.stages, start=1):
            dims += self._stage_dims(i, stage)
        if len(self.options.resolutions) > 1:
            dims.append(Dimension("resolution", choices=self.options.resolutions))
        return dims

    def _resolution(self, genotype: dict[str, Any]) -> int:
        if len(self.options.resolutions) > 1:
            return int(genotype["resolution"])
        return self.options.resolutions[0] if self.options.resolutions else self.options.resolution

    def _stage_activations(self, stage: StageOptions) -> tuple[str, ...]:
        return stage.activations or (self.options.activation,)

    def _block(self, i: int, stage: StageOptions, genotype: dict[str, Any]) -> str:
        """The canonical block string of stage ``i``."""
        d, k, e = int(genotype[f"d{i}"]), int(genotype[f"k{i}"]), int(genotype[f"e{i}"])
        c = int(genotype.get(f"w{i}", stage.channels[0]))
        se = bool(genotype.get(f"se{i}", stage.se[0]))
        act = genotype.get(f"a{i}", self._stage_activations(stage)[0])
        block = f"ds_r{d}_k{k}_s{stage.stride}_c{c}" if e == 1 else f"ir_r{d}_k{k}_s{stage.stride}_e{e}_c{c}"
        if se:
            block += f"_se{self.options.se_ratio:g}"
        if act != self.options.activation:
            block += f"_n{_ACT_CODES[act]}"
        return block

    def to_key(self, genotype: dict[str, Any]) -> str:
        self.require(genotype)
        blocks = [self.options.first_block]
        blocks += [self._block(i, stage, genotype) for i, stage in enumerate(self.options.stages, start=1)]
        return f"res{self._resolution(genotype)}|" + "|".join(blocks)

    def _parse_block(self, i: int, stage: StageOptions, part: str) -> dict[str, Any]:
        match = _BLOCK_RE.match(part)
        if not match or (match["type"] == "ir") != (match["e"] is not None):
            raise ConfigError("arch", f"stage {i} block {part!r} is not an ir_r<d>_k<k>_s<s>_e<e>_c<c>[_se<r>][_n<act>] "
                                      "or ds_r<d>_k<k>_s<s>_c<c>[_se<r>][_n<act>] string")
        d, k, s, c = (int(match[g]) for g in ("d", "k", "s", "c"))
        e = int(match["e"]) if match["e"] is not None else 1
        if match["type"] == "ir" and e == 1:
            raise ConfigError("arch", f"stage {i} block {part!r}: expansion 1 is written as a ds block")
        if s != stage.stride:
            raise ConfigError("arch", f"stage {i} block {part!r}: stride/channels must be s{stage.stride}_c<c>")
        se = match["se"] is not None
        if se and float(match["se"]) != self.options.se_ratio:
            raise ConfigError("arch", f"stage {i} block {part!r}: squeeze-excite ratio must be {self.options.se_ratio:g}")
        act = self.options.activation
        if match["act"] is not None:
            act = _CODE_ACTS.get(match["act"], "")
            if not act or act == self.options.activation:
                raise ConfigError("arch", f"stage {i} block {part!r}: activation code _n{match['act']} is not one of "
                                          f"{', '.join('_n' + _ACT_CODES[a] for a in _ACTIVATIONS if a != self.options.activation)}")
        for value, allowed, what in ((d, stage.depths, "depth"), (k, stage.kernels, "kernel"),
                                     (e, stage.expansions, "expansion"), (c, stage.channels, "width"),
                                     (se, stage.se, "squeeze-excite"), (act, self._stage_activations(stage), "activation")):
            if value not in allowed:
                raise ConfigError("arch", f"stage {i} {what} {value} is not in the space {list(allowed)}")
        genotype: dict[str, Any] = {f"d{i}": d, f"k{i}": k, f"e{i}": e}
        for name, value, choices in ((f"w{i}", c, stage.channels), (f"se{i}", se, stage.se),
                                     (f"a{i}", act, stage.activations)):
            if len(choices) > 1:
                genotype[name] = value
        return genotype

    def from_key(self, key: str) -> dict[str, Any]:
        parts = key.split("|")
        stages = self.options.stages
        if len(parts) != len(stages) + 2 or not parts[0].startswith("res"):
            raise ConfigError("arch", f"{key!r} is not an mbconv key "
                                      f"(expected res<R>|{self.options.first_block}|<block> x{len(stages)})")
        if parts[1] != self.options.first_block:
            raise ConfigError("arch", f"first block {parts[1]!r} differs from the space's {self.options.first_block!r}")
        genotype: dict[str, Any] = {}
        for i, (part, stage) in enumerate(zip(parts[2:], stages, strict=True), start=1):
            genotype.update(self._parse_block(i, stage, part))
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

    def _timm_kwargs(self) -> dict[str, Any]:
        return {"num_classes": self.options.num_classes, "num_features": self.options.head_channels,
                "in_chans": self.options.in_chans, "stem_size": self.options.stem_channels}

    def _build(self, arch: ArchSpec) -> nn.Module:
        # round_chs_fn=int: the block strings' channels are the model's (timm would round to 8s)
        return EfficientNet(block_args=decode_arch_def(self.arch_def(arch)), **self._timm_kwargs(),
                            act_layer=_ACTIVATIONS[self.options.activation], round_chs_fn=int,
                            norm_layer=partial(nn.BatchNorm2d))

    def workload(self, arch: ArchSpec, batch: int = 1, model: nn.Module | None = None) -> Workload:
        """The layers of ``arch``, written from the built model's modules without tracing it
        (``search_spaces/_mbconv_workload.py``: the traced workload, field for field); traced
        where that walk does not know the model."""
        model = model if model is not None else self.build(arch)
        try:
            return efficientnet_workload(model.eval(), self.input_shape(arch), batch, arch.ref)
        except UnknownModel:
            return super().workload(arch, batch=batch, model=model)

    def describe(self, arch: ArchSpec) -> str:
        g = arch.genotype
        n = len(self.options.stages)
        parts = [f"r{self._resolution(g)}"]
        for prefix in ("d", "k", "e"):
            parts.append(prefix + "".join(str(g[f"{prefix}{i}"]) for i in range(1, n + 1)))
        if any(f"w{i}" in g for i in range(1, n + 1)):
            parts.append("w" + "-".join(str(self._width(g, i)) for i in range(1, n + 1)))
        if any(f"se{i}" in g for i in range(1, n + 1)):
            parts.append("se" + "".join("1" if g.get(f"se{i}", stage.se[0]) else "0"
                                        for i, stage in enumerate(self.options.stages, start=1)))
        if any(f"a{i}" in g for i in range(1, n + 1)):
            parts.append("a" + "".join(_ACT_CODES[g.get(f"a{i}", self._stage_activations(stage)[0])][0]
                                       for i, stage in enumerate(self.options.stages, start=1)))
        return " ".join(parts)

    def _width(self, genotype: dict[str, Any], i: int) -> int:
        return int(genotype.get(f"w{i}", self.options.stages[i - 1].channels[0]))

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        kwargs = ", ".join(f"{k}={v!r}" for k, v in self._timm_kwargs().items())
        imports = ("from timm.models._efficientnet_builder import decode_arch_def\n"
                   "from timm.models.efficientnet import EfficientNet\n\n"
                   f"ARCH_DEF = {self.arch_def(arch)!r}")
        body = ("    # round_chs_fn=int keeps the block strings' channel counts as written\n"
                f"    return EfficientNet(block_args=decode_arch_def(ARCH_DEF), {kwargs},\n"
                f"                        act_layer={_ACT_SOURCE[self.options.activation]}, round_chs_fn=int, "
                "norm_layer=nn.BatchNorm2d)")
        return {"model.py": self.model_script(arch, "timm alone", imports, body)}
