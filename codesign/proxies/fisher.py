"""Fisher (Theis et al., "Faster gaze prediction with dense networks and Fisher pruning", 2018), as
a zero-cost NAS proxy (Turner et al., BlockSwap, ICLR 2020; Abdelfattah et al., ICLR 2021).

For every output channel of every conv and linear layer, with a its activation and g the loss
gradient w.r.t. it, the channel's saliency is 0.5 * mean over the batch of (sum over positions of
a * g)^2; the score is the sum over channels and layers. Training-mode BatchNorm."""
from __future__ import annotations

import torch
import torch.nn as nn

from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.common import classification_loss, weight_layers


@PROXIES.register("fisher")
class Fisher(Proxy):
    direction = "maximize"

    def compute(self, ctx: ProxyContext) -> float:
        model = ctx.model()
        model.train()
        activations: list[torch.Tensor] = []

        def keep(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
            output.retain_grad()
            activations.append(output)

        handles = [layer.register_forward_hook(keep) for layer in weight_layers(model)]
        try:
            model.zero_grad()
            classification_loss(model, ctx.batch).backward()
        finally:
            for handle in handles:
                handle.remove()
        total = torch.zeros((), dtype=torch.float64)
        with torch.no_grad():
            for act in activations:
                if act.grad is None:
                    continue
                prod = (act * act.grad).double()
                per_channel = prod.flatten(2).sum(-1) if prod.dim() > 2 else prod
                total += 0.5 * per_channel.pow(2).mean(0).sum()
        return float(total)
