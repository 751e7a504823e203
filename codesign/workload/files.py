"""Reading a workload file by its kind: an ONNX model or a layers YAML."""
from __future__ import annotations

from pathlib import Path

from codesign.workload.workload import Workload


def load_workload(path: str | Path) -> Workload:
    """A workload file: an ONNX model (``*.onnx``) or a layers YAML in loop-nest notation."""
    if Path(path).suffix.lower() == ".onnx":
        from codesign.workload.onnx_import import workload_from_onnx

        return workload_from_onnx(path)
    return Workload.load_yaml(path)
