"""Vision Transformer space built by timm's ``VisionTransformer`` (Dosovitskiy et al., ICLR 2021):
patch size, embedding dimension, depth, number of attention heads and MLP ratio.

Heads must divide the embedding dimension (each head gets ``embed_dim / heads`` channels). The
sampler draws the embedding dimension first, then the heads among those that divide it: the
heads parameter is ``arch.num_heads`` when every head count divides the drawn dimension and
``arch.num_heads_e<dim>`` otherwise, so that each Optuna parameter keeps one fixed set of choices.
Keys name the resolution and the five values::

    res224|p16_e192_d12_h3_m4        (DeiT-Tiny's shape)
"""
from __future__ import annotations

import re
from typing import Any

import torch.nn as nn
from pydantic import model_validator
from timm.models.vision_transformer import VisionTransformer

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import ARCH_PREFIX, SPACES, SearchSpace, SpaceOptions

_KEY_RE = re.compile(r"^res(\d+)\|p(\d+)_e(\d+)_d(\d+)_h(\d+)_m([0-9.]+)$")


class ViTOptions(SpaceOptions):
    # Around DeiT-Tiny/Small (Touvron et al., ICML 2021: embed 192/384, heads 3/6, depth 12,
    # MLP ratio 4) and AutoFormer-Tiny's ranges (Chen et al., ICCV 2021: depth 12-14, MLP ratio
    # 3.5-4, heads 3-4), widened downwards for edge devices.
    patch_sizes: tuple[int, ...] = (16, 32)
    embed_dims: tuple[int, ...] = (192, 256, 320, 384)
    depths: tuple[int, ...] = (6, 8, 10, 12)
    heads: tuple[int, ...] = (3, 4, 5, 6)
    mlp_ratios: tuple[float, ...] = (2.0, 3.0, 4.0)

    @model_validator(mode="after")
    def _check(self) -> ViTOptions:
        for name in ("patch_sizes", "embed_dims", "depths", "heads", "mlp_ratios"):
            values = getattr(self, name)
            if not values or any(v <= 0 for v in values):
                raise ValueError(f"{name} must be a non-empty list of positive numbers")
        bad_patch = [p for p in self.patch_sizes if self.resolution % p]
        if bad_patch:
            raise ValueError(f"patch size {bad_patch[0]} does not divide the resolution {self.resolution}")
        for dim in self.embed_dims:
            if not any(dim % h == 0 for h in self.heads):
                raise ValueError(f"no head count in {list(self.heads)} divides embed dim {dim}")
        for h in self.heads:
            if not any(dim % h == 0 for dim in self.embed_dims):
                raise ValueError(f"head count {h} divides none of the embed dims {list(self.embed_dims)}")
        return self


@SPACES.register("vit")
class ViTSpace(SearchSpace):
    """timm VisionTransformer: patch size, embed dim, depth, heads (dividing the embed dim), MLP ratio."""

    Options = ViTOptions
    options: ViTOptions

    def dimensions(self) -> list[Dimension]:
        o = self.options
        return [Dimension("patch_size", choices=o.patch_sizes), Dimension("embed_dim", choices=o.embed_dims),
                Dimension("depth", choices=o.depths), Dimension("num_heads", choices=o.heads),
                Dimension("mlp_ratio", choices=o.mlp_ratios)]

    def size(self) -> int:
        o = self.options
        pairs = sum(len(self.heads_for(e)) for e in o.embed_dims)
        return len(o.patch_sizes) * pairs * len(o.depths) * len(o.mlp_ratios)

    def heads_for(self, embed_dim: int) -> tuple[int, ...]:
        """The head counts that divide ``embed_dim``."""
        return tuple(h for h in self.options.heads if embed_dim % h == 0)

    def _heads_param(self, embed_dim: int) -> str:
        valid = self.heads_for(embed_dim)
        return "num_heads" if valid == self.options.heads else f"num_heads_e{embed_dim}"

    def sample(self, trial: Any) -> ArchSpec:
        o = self.options
        embed = trial.suggest_categorical(ARCH_PREFIX + "embed_dim", list(o.embed_dims))
        genotype = {
            "patch_size": trial.suggest_categorical(ARCH_PREFIX + "patch_size", list(o.patch_sizes)),
            "embed_dim": embed,
            "depth": trial.suggest_categorical(ARCH_PREFIX + "depth", list(o.depths)),
            "num_heads": trial.suggest_categorical(ARCH_PREFIX + self._heads_param(embed), list(self.heads_for(embed))),
            "mlp_ratio": trial.suggest_categorical(ARCH_PREFIX + "mlp_ratio", list(o.mlp_ratios)),
        }
        return self.spec(genotype)

    def from_params(self, params: dict[str, Any]) -> ArchSpec:
        genotype = {k[len(ARCH_PREFIX):]: v for k, v in params.items() if k.startswith(ARCH_PREFIX)}
        embed = genotype.get("embed_dim")
        heads_param = self._heads_param(embed) if embed in self.options.embed_dims else "num_heads"
        if heads_param in genotype:
            genotype["num_heads"] = genotype.pop(heads_param)
        return self.spec({k: v for k, v in genotype.items() if not k.startswith("num_heads_e")})

    def to_key(self, genotype: dict[str, Any]) -> str:
        self.require(genotype)
        g = genotype
        key = (f"res{self.options.resolution}|p{int(g['patch_size'])}_e{int(g['embed_dim'])}_d{int(g['depth'])}"
               f"_h{int(g['num_heads'])}_m{float(g['mlp_ratio']):g}")
        return self.checked_key(key)  # values and constraints are checked in one place: from_key

    def from_key(self, key: str) -> dict[str, Any]:
        match = _KEY_RE.match(key)
        if not match:
            raise ConfigError("arch", f"{key!r} is not a vit key (expected res<R>|p<patch>_e<embed>_d<depth>_h<heads>_m<mlp>)")
        res, patch, embed, depth, heads = (int(match.group(i)) for i in range(1, 6))
        mlp = float(match.group(6))
        if res != self.options.resolution:
            raise ConfigError("arch", f"resolution {res} differs from the space's {self.options.resolution}")
        o = self.options
        for value, allowed, what in ((patch, o.patch_sizes, "patch size"), (embed, o.embed_dims, "embed dim"),
                                     (depth, o.depths, "depth"), (heads, o.heads, "heads"),
                                     (mlp, o.mlp_ratios, "MLP ratio")):
            if value not in allowed:
                raise ConfigError("arch", f"{what} {value:g} is not in the space {list(allowed)}")
        if embed % heads:
            raise ConfigError("arch", f"{heads} heads do not divide embed dim {embed} (valid: {list(self.heads_for(embed))})")
        return {"patch_size": patch, "embed_dim": embed, "depth": depth, "num_heads": heads, "mlp_ratio": mlp}

    def timm_kwargs(self, arch: ArchSpec) -> dict[str, Any]:
        """The arguments of timm's ``VisionTransformer`` for ``arch``."""
        g = arch.genotype
        return {"img_size": self.options.resolution, "patch_size": g["patch_size"], "in_chans": self.options.in_chans,
                "num_classes": self.options.num_classes, "embed_dim": g["embed_dim"], "depth": g["depth"],
                "num_heads": g["num_heads"], "mlp_ratio": g["mlp_ratio"]}

    def _build(self, arch: ArchSpec) -> nn.Module:
        return VisionTransformer(**self.timm_kwargs(arch))

    def describe(self, arch: ArchSpec) -> str:
        return arch.key.split("|", 1)[1]

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        args = ", ".join(f"{k}={v!r}" for k, v in self.timm_kwargs(arch).items())
        imports = "from timm.models.vision_transformer import VisionTransformer"
        return {"model.py": self.model_script(arch, "timm alone", imports, f"    return VisionTransformer({args})")}
