"""Shared fixtures: a tiny MBConv space and experiment so that searches run in seconds."""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("RAY_DISABLE_IMPORT_WARNING", "1")
DATA = Path(__file__).parent / "data"

#: A small MBConv space (32x32 inputs, three stages) that builds and traces in ~50 ms.
TINY_SPACE = {
    "resolution": 32,
    "num_classes": 10,
    "stem_channels": 8,
    "first_block": "ds_r1_k3_s1_c8",
    "head_channels": 64,
    "stages": [
        {"channels": 16, "stride": 2, "depths": [1, 2], "kernels": [3, 5], "expansions": [3, 6]},
        {"channels": 24, "stride": 2, "depths": [1, 2], "kernels": [3, 5], "expansions": [3, 6]},
        {"channels": 32, "stride": 2, "depths": [1, 2], "kernels": [3, 5], "expansions": [3, 6]},
    ],
}


def tiny_config(**overrides: Any) -> dict[str, Any]:
    """A complete experiment mapping over the tiny space; keyword arguments replace sections."""
    config: dict[str, Any] = {
        "name": "tiny",
        "seed": 0,
        "space": {"name": "mbconv", "options": TINY_SPACE},
        "accelerator": {
            "template": "systolic",
            "params": {"clock_mhz": 500, "bits": 8, "tech_nm": 28},
            "search": {"rows": [4, 8, 16], "cols": [4, 8, 16], "dataflow": ["ws", "os", "is"],
                       "ifmap_sram_kib": [8, 32], "filter_sram_kib": [8, 32], "ofmap_sram_kib": [8, 32]},
        },
        "proxy": {"name": "naswot", "batch_size": 8},
        "objectives": {"proxy": "maximize", "latency": "minimize", "energy": "minimize"},
        "constraints": {"area": "<= 1 mm2"},
        "strategy": {"name": "nsga2", "options": {"population_size": 6}},
        "budget": {"trials": 12},
        "executor": {"name": "inline"},
    }
    config.update(overrides)
    return config


@pytest.fixture
def tiny_space():
    from codesign.spaces import create_space

    return create_space("mbconv", TINY_SPACE)


@pytest.fixture
def cli():
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from codesign.cli.main import main

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
        return code, out.getvalue(), err.getvalue()

    return run
