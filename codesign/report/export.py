"""Export bundles: one chosen design as files a user can take away, and re-scoring them.

    BUNDLE/bundle.json       manifest: source run and trial, how the design was scored
    BUNDLE/arch.json         search space, its options, key and genotype (rebuilds the model)
    BUNDLE/model.py          space-specific script that rebuilds the network (when the space has one)
    BUNDLE/model.onnx        the network at its input shape (random weights), for deployment tools
    BUNDLE/accelerator.yaml  the accelerator configuration (template + parameters)
    BUNDLE/layers.csv        per-layer costs: cycles, latency, energy by component, traffic, mapping
    BUNDLE/metrics.json      network metrics (SI units)

``evaluate_bundle`` rebuilds the network from arch.json, re-scores it on accelerator.yaml with the
scoring settings of bundle.json and returns the metrics, which equal metrics.json.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import yaml

from codesign.errors import CodesignError, ConfigError
from codesign.hardware.presets import accelerator_from_dict
from codesign.search.evaluator import Candidate, Evaluator, EvaluatorSpec, Outcome, prepared_spec
from codesign.spaces.arch import ArchSpec
from codesign.storage.run_dir import RunDir
from codesign.yamlio import read_text, read_yaml

MANIFEST = "bundle.json"
_SPEC_FIELDS = ("space", "space_options", "proxy", "proxy_options", "proxy_batch_size", "proxy_data",
                "proxy_data_path", "cost_model", "goal", "batch", "seed")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def outcome_json(outcome: Outcome, candidate: Candidate, with_layers: bool = True) -> dict[str, Any]:
    """The JSON object ``codesign evaluate`` prints for one design."""
    out: dict[str, Any] = {"space": candidate.arch.space, "arch": candidate.arch.key,
                           "accelerator": candidate.hardware.to_dict()}
    if outcome.error and not outcome.metrics:
        out.update(feasible=False, error=outcome.error)
        return out
    out.update(outcome.metrics)
    if outcome.error:
        out["error"] = outcome.error
    if with_layers and outcome.cost is not None:
        out["layers"] = [layer.to_row() for layer in outcome.cost.layers()]
    return _clean(out)


def write_layers_csv(outcome: Outcome, path: Path) -> None:
    rows = [layer.to_row() for layer in outcome.cost.layers()] if outcome.cost is not None else []
    with path.open("w", newline="") as fh:
        if not rows:
            fh.write("")
            return
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _export_onnx(evaluator: Evaluator, arch: ArchSpec, path: Path) -> str:
    import torch

    model = evaluator.space.build(arch, seed=evaluator.spec.seed).eval()
    example = torch.zeros(1, *evaluator.space.input_shape(arch))
    try:
        torch.onnx.export(model, (example,), str(path), dynamo=False, input_names=["input"],
                          output_names=["logits"], opset_version=17)
    except Exception as exc:  # noqa: BLE001 - the rest of the bundle is still useful
        return f"{type(exc).__name__}: {exc}"
    return ""


def export_design(evaluator: Evaluator, candidate: Candidate, out_dir: Path, source: dict[str, Any],
                  onnx: bool = True) -> dict[str, Any]:
    """Write a bundle for ``candidate`` scored by ``evaluator``; returns its metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outcome = evaluator.evaluate(candidate)
    if outcome.failed and not outcome.metrics:
        raise CodesignError(f"cannot export: evaluation failed ({outcome.error})")
    arch = candidate.arch
    files = ["arch.json", "accelerator.yaml", "layers.csv", "metrics.json"]
    (out_dir / "arch.json").write_text(json.dumps({
        "space": arch.space, "options": evaluator.spec.space_options, "key": arch.key,
        "genotype": arch.genotype, "input_shape": list(evaluator.space.input_shape(arch)),
    }, indent=2) + "\n")
    for name, text in evaluator.space.export_files(arch).items():
        (out_dir / name).write_text(text)
        files.append(name)
    (out_dir / "accelerator.yaml").write_text(yaml.safe_dump(candidate.hardware.to_dict(), sort_keys=False))
    write_layers_csv(outcome, out_dir / "layers.csv")
    metrics = _clean(outcome.metrics)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    onnx_error = ""
    if onnx:
        onnx_error = _export_onnx(evaluator, arch, out_dir / "model.onnx")
        if not onnx_error:
            files.append("model.onnx")
    from codesign import __version__

    spec = evaluator.spec
    manifest = {"codesign_version": __version__, "source": source, "files": sorted(files),
                "scoring": {name: getattr(spec, name) for name in _SPEC_FIELDS}}
    if onnx_error:
        manifest["onnx_error"] = onnx_error
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return metrics


def export_trial(run: RunDir, number: int, out_dir: str | Path, onnx: bool = True) -> dict[str, Any]:
    """Export trial ``number`` of a run."""
    from codesign.search.experiment import Experiment

    record = run.trial(number)
    if record.state != "COMPLETE":
        raise CodesignError(f"trial {number} is {record.state.lower()}, not complete"
                            + (f" ({record.result['error']})" if record.result.get("error") else ""))
    experiment = Experiment.from_config(run.config())
    arch = experiment.space.parse(record.result["arch"]["key"])
    hardware = accelerator_from_dict(record.result["hardware"], where=f"trial {number}.hardware")
    evaluator = Evaluator(prepared_spec(experiment.evaluator_spec))
    return export_design(evaluator, Candidate(arch, hardware), Path(out_dir),
                         source={"run": str(run.path.resolve()), "trial": number}, onnx=onnx)


def _bundle_json(path: Path) -> dict[str, Any]:
    """A JSON object file of a bundle; damage is a one-line error naming the file."""
    try:
        data = json.loads(read_text(path, "bundle file"))
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "expected a JSON object")
    return data


def load_bundle(path: str | Path) -> tuple[Evaluator, Candidate, dict[str, Any]]:
    """Evaluator, candidate and stored metrics of an export bundle."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ConfigError(str(path), f"not an export bundle (no {MANIFEST})")
    manifest = _bundle_json(manifest_path)
    arch_data = _bundle_json(path / "arch.json")
    hw_data = read_yaml(path / "accelerator.yaml", "bundle file")
    stored = _bundle_json(path / "metrics.json")
    scoring = manifest.get("scoring", {})
    if not isinstance(scoring, dict):
        raise ConfigError(f"{manifest_path}.scoring", "expected a mapping")
    unknown = set(scoring) - set(_SPEC_FIELDS)
    if unknown:
        raise ConfigError(f"{manifest_path}.scoring", f"unknown key(s) {', '.join(sorted(unknown))}")
    defaults = EvaluatorSpec(space="")
    for key, value in scoring.items():  # a field of another type would fail deep inside a proxy
        default = getattr(defaults, key)
        if key != "space" and default is not None and value is not None and (
                type(value) is not type(default) and not (isinstance(default, float) and type(value) is int)):
            raise ConfigError(f"{manifest_path}.scoring.{key}", f"expected {type(default).__name__}, "
                                                                f"got {type(value).__name__}")
    if not isinstance(arch_data.get("key"), str):
        raise ConfigError(f"{path / 'arch.json'}.key", "required (the architecture key, a string)")
    hardware = accelerator_from_dict(hw_data, where=str(path / "accelerator.yaml"))
    evaluator = Evaluator(EvaluatorSpec(**scoring))
    try:
        arch = evaluator.space.parse(arch_data["key"])
    except ConfigError as exc:
        raise ConfigError(f"{path / 'arch.json'}.key", exc.message) from None
    return evaluator, Candidate(arch, hardware), stored


def evaluate_bundle(path: str | Path) -> tuple[Outcome, Candidate, dict[str, Any]]:
    """Re-score a bundle; returns the new outcome, the candidate and the stored metrics."""
    evaluator, candidate, stored = load_bundle(path)
    return evaluator.evaluate(candidate), candidate, stored
