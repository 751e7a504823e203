"""Pieces the gradient-based proxies share: the loss they differentiate and the layers they read."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from codesign.proxies.base import ProxyBatch

#: Layers whose weights the pruning-at-initialisation proxies score (Abdelfattah et al. 2021).
WEIGHT_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Linear)


def weight_layers(model: nn.Module) -> list[nn.Module]:
    """Conv and linear layers, in module order."""
    layers = [m for m in model.modules() if isinstance(m, WEIGHT_LAYERS)]
    if not layers:
        raise ValueError("the network has no conv or linear layer to score")
    return layers


def classification_loss(model: nn.Module, batch: ProxyBatch, inputs: torch.Tensor | None = None,
                        targets: torch.Tensor | None = None) -> torch.Tensor:
    """Cross-entropy of the network's logits on the batch (labels folded into its classes)."""
    x = batch.inputs if inputs is None else inputs
    y = batch.targets if targets is None else targets
    logits = model(x)
    return F.cross_entropy(logits, y % logits.shape[-1])


def weight_gradients(model: nn.Module, batch: ProxyBatch) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(weight, dL/dweight) of every conv and linear layer after one backward pass of the
    cross-entropy on the batch, BatchNorm in training mode (batch statistics), as the
    pruning-at-initialisation proxies' authors compute them."""
    model.train()
    model.zero_grad()
    classification_loss(model, batch).backward()
    return [(layer.weight, layer.weight.grad) for layer in weight_layers(model) if layer.weight.grad is not None]
