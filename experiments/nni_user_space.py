"""A user's own NNI model space, searched by codesign through the ``nni`` adapter space
(experiments/nni_user_space.yaml). Any ``nni.nas.nn.pytorch.ModelSpace`` works the same way.

A small CNN for 32x32 images: the stem width, the number of blocks, each block's operation, the
skip into the head and the width of the classifier's hidden layer are searched; a constraint keeps
width x depth within a budget.
"""
from __future__ import annotations

import nni
import torch
import torch.nn as nn
from nni.mutable import ExpressionConstraint
from nni.nas.nn.pytorch import (
    InputChoice,
    LayerChoice,
    ModelSpace,
    MutableBatchNorm2d,
    MutableConv2d,
    MutableLinear,
    Repeat,
)


def conv_bn_relu(width, kernel: int) -> nn.Module:
    return nn.Sequential(MutableConv2d(width, width, kernel, padding=kernel // 2, bias=False),
                         MutableBatchNorm2d(width), nn.ReLU())


def sep_conv(width, kernel: int) -> nn.Module:
    """Depthwise then pointwise convolution (MobileNet's separable conv)."""
    return nn.Sequential(MutableConv2d(width, width, kernel, padding=kernel // 2, groups=width, bias=False),
                         MutableConv2d(width, width, 1, bias=False), MutableBatchNorm2d(width), nn.ReLU())


class Block(nn.Module):
    """A residual block whose body is one of three operations."""

    def __init__(self, width, label: str) -> None:
        super().__init__()
        self.body = LayerChoice({"conv3x3": conv_bn_relu(width, 3), "sep5x5": sep_conv(width, 5),
                                 "sep3x3": sep_conv(width, 3)}, label=label)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TinyCNNSpace(ModelSpace):
    """Stem (stride 2) → 1-3 residual blocks → pooled features of the stem or the blocks → MLP head."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        width = nni.choice("width", [16, 24, 32])
        depth = nni.choice("depth", [1, 2, 3])
        hidden = nni.choice("hidden", [32, 64])
        self.add_mutable(ExpressionConstraint(width * depth <= 72, label="budget"))
        self.stem = nn.Sequential(MutableConv2d(3, width, 3, stride=2, padding=1, bias=False),
                                  MutableBatchNorm2d(width), nn.ReLU())
        self.blocks = Repeat(lambda index: Block(width, f"op{index}"), depth, label="depth")
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.features = InputChoice(n_candidates=2, n_chosen=1, label="features")
        self.head = nn.Sequential(MutableLinear(width, hidden), nn.ReLU(), MutableLinear(hidden, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stem = self.stem(x)
        out = self.blocks(stem)
        chosen = self.features([stem, out])
        return self.head(torch.flatten(self.pool(chosen), 1))
