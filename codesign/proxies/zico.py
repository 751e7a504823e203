"""ZiCo (Li et al., "ZiCo: Zero-shot NAS via Inverse Coefficient of Variation on Gradients",
ICLR 2023): with per-weight gradients g collected over several mini-batches,
ZiCo = sum over layers of log( sum over the layer's weights of mean|g| / std(g) ).
The batch is split into ``splits`` mini-batches (the paper uses two). Training-mode BatchNorm."""
from __future__ import annotations

import math

import torch
from pydantic import Field

from codesign.options import PluginOptions
from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.common import classification_loss, weight_layers


@PROXIES.register("zico")
class ZiCo(Proxy):
    direction = "maximize"

    class Options(PluginOptions):
        #: Mini-batches the batch is split into (>= 2: a standard deviation over them).
        splits: int = Field(2, ge=2)

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.splits = self.options.splits

    def compute(self, ctx: ProxyContext) -> float:
        model = ctx.model()
        model.train()
        layers = weight_layers(model)
        inputs, targets = ctx.batch.inputs, ctx.batch.targets
        if inputs.shape[0] < self.splits:
            raise ValueError(f"batch of {inputs.shape[0]} cannot be split into {self.splits} mini-batches")
        grads: list[list[torch.Tensor]] = [[] for _ in layers]
        for x, y in zip(inputs.chunk(self.splits), targets.chunk(self.splits), strict=True):
            model.zero_grad()
            classification_loss(model, ctx.batch, x, y).backward()
            for i, layer in enumerate(layers):
                if layer.weight.grad is not None:
                    grads[i].append(layer.weight.grad.detach().flatten().double().clone())
        score = 0.0
        for per_batch in grads:
            if len(per_batch) < 2:
                continue
            stacked = torch.stack(per_batch)
            std = stacked.std(dim=0)
            mask = std > 0
            if not mask.any():
                continue
            ratio = (stacked.abs().mean(dim=0)[mask] / std[mask]).sum().item()
            if ratio > 0:
                score += math.log(ratio)
        return score
