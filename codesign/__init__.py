"""codesign: joint search of a neural network and the NPU that runs it.

Python API (the CLI is a thin layer over it)::

    import codesign
    summary = codesign.run("experiments/quickstart.yaml")          # a search, on disk
    result = codesign.evaluate("mbconv", KEY, "eyeriss")            # one design, scored
"""
from __future__ import annotations

__version__ = "0.1.0"

from codesign.api import evaluate, load_config, run  # noqa: E402

__all__ = ["__version__", "evaluate", "load_config", "run"]
