"""Shared NNI plumbing for the spaces built through NNI model spaces (``nb201``, ``nni``).

NNI is imported lazily: importing it costs about a second, and the space registry imports every
module of ``search_spaces/`` on first use, so spaces that do not use NNI must not pay for it.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch.nn as nn


def nni_nas() -> Any:
    """``nni.nas`` with its hub and space helpers imported (quietly: NNI 3.0 warns about every
    torch class it does not know, which is noise here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import nni.nas.hub.pytorch  # noqa: F401
        import nni.nas.nn.pytorch  # noqa: F401
        import nni.nas.space
    return nni.nas


def nni_mutable() -> Any:
    """``nni.mutable`` (Categorical, Numerical, constraints, ...)."""
    nni_nas()
    import nni.mutable

    return nni.mutable


def build_frozen(factory: Callable[[], nn.Module], sample: dict[str, Any]) -> nn.Module:
    """Construct a model space with every mutable fixed to ``sample``.

    Re-running the constructor inside NNI's ``model_context`` creates only the chosen operators
    (about 50 ms for NAS-Bench-201), where ``space.freeze(sample)`` deep-copies the whole supernet
    (0.5 to 2 s) and keeps the supernet's weights whatever the seed.
    """
    space = nni_nas().space
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with space.model_context(sample):
            return factory()
