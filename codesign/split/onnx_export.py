"""One ONNX file per tier of a split design (``device.onnx``, ``mec.onnx``, ``cloud.onnx``), and
running them in sequence with onnxruntime, as the deployed tiers would: each tier's outputs are
the next tier's inputs (named after the values, so a skip branch finds its consumer).

A value a tier passes on unchanged (made before it, used after it) is both its input and its
output; ``torch.onnx`` then renames the input (``x`` becomes ``x.1``). Each file records the values
its inputs are, in order, as the model metadata ``INPUTS_KEY`` (a JSON list), and ``run_tiers``
feeds by it."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from codesign.split.partition import TierGraph

OPSET = 17
#: Model metadata key: the names of the values a tier file's inputs are, in order (JSON).
INPUTS_KEY = "codesign.inputs"


def export_tiers(parts: Sequence[TierGraph], example: torch.Tensor, out_dir: str | Path) -> dict[str, Path]:
    """Write ``<tier>.onnx`` for every part; ``example`` is the network input (sets the shapes)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    values: dict[str, torch.Tensor] = {parts[0].inputs[0]: example} if len(parts[0].inputs) == 1 else {}
    if not values:
        raise ValueError("the first tier must take the network's single input")
    files: dict[str, Path] = {}
    with torch.no_grad():
        for part in parts:
            args = tuple(values[name].clone() for name in part.inputs)  # in-place ops must not reach a skip branch
            path = out / f"{part.tier}.onnx"
            torch.onnx.export(part.module, args, str(path), dynamo=False, input_names=list(part.inputs),
                              output_names=list(part.outputs), opset_version=OPSET)
            _record_inputs(path, part.inputs)
            results = part.module(*args)
            values.update(zip(part.outputs, results, strict=True))
            files[part.tier] = path
    return files


def _record_inputs(path: Path, inputs: Sequence[str]) -> None:
    import onnx

    model = onnx.load(str(path))
    entry = model.metadata_props.add()
    entry.key, entry.value = INPUTS_KEY, json.dumps(list(inputs))
    onnx.save(model, str(path))


def run_tiers(files: Sequence[Path], network_input: np.ndarray) -> tuple[list[np.ndarray], dict[str, int]]:
    """Run the tier files in order on ``network_input``: the last tier's outputs, and the bytes
    (as stored, 32-bit floats) each tier received, by tier file stem."""
    import onnxruntime as ort

    values: dict[str, np.ndarray] = {}
    received: dict[str, int] = {}
    outputs: list[np.ndarray] = []
    for i, path in enumerate(files):
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        names = [arg.name for arg in session.get_inputs()]
        recorded = session.get_modelmeta().custom_metadata_map.get(INPUTS_KEY)
        wanted = json.loads(recorded) if recorded else names
        feed = {names[0]: network_input} if i == 0 else {n: values[v] for n, v in zip(names, wanted, strict=True)}
        received[Path(path).stem] = int(sum(array.nbytes for array in feed.values()))
        outputs = session.run(None, feed)
        values.update(zip((arg.name for arg in session.get_outputs()), outputs, strict=True))
    return outputs, received
