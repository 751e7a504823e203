"""NNI model spaces for the adapter's tests: a numerical dimension, a multi-input choice, a
constraint, and a space with a mutable the adapter does not support."""
from __future__ import annotations

import nni
import torch
import torch.nn as nn
from nni.mutable import ExpressionConstraint, MutableExpression
from nni.nas.nn.pytorch import InputChoice, LayerChoice, ModelSpace, MutableConv2d, MutableLinear


class MixedSpace(ModelSpace):
    """A conv whose width is a rounded uniform value, two branches of which 1 or 2 are summed."""

    def __init__(self, num_classes: int = 4) -> None:
        super().__init__()
        scale = nni.uniform("scale", 0.5, 1.5)
        width = MutableExpression.to_int(scale * 16)
        self.stem = MutableConv2d(3, width, 3, padding=1)
        self.a = LayerChoice([nn.Conv2d(16, 16, 3, padding=1), nn.Conv2d(16, 16, 5, padding=2)], label="a")
        self.to16 = MutableConv2d(width, 16, 1)
        self.merge = InputChoice(n_candidates=3, n_chosen=2, label="merge")
        kind = nni.choice("kind", ["x", "y"])
        self.add_mutable(ExpressionConstraint(kind == "x", label="only_x"))
        self.head = MutableLinear(16, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.to16(self.stem(x))
        y = self.a(x)
        merged = self.merge([x, y, x * 2])
        return self.head(merged.mean((2, 3)))


class NormalSpace(ModelSpace):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nni.normal("scale", 0.0, 1.0)
        self.add_mutable(self.scale)
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


class NotASpace(nn.Module):
    pass


class BrokenSpace(ModelSpace):
    def __init__(self) -> None:
        super().__init__()
        raise RuntimeError("no GPU here")
