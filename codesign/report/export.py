"""Export bundles: one chosen design as files a user can take away, and re-scoring them.

    BUNDLE/bundle.json       manifest: source run and trial, the pipeline that scored it
    BUNDLE/parts.json        each sub-space's part (what ``codesign evaluate BUNDLE`` re-scores)
    BUNDLE/arch.json         search space, its options, key and genotype (rebuilds the model)
    BUNDLE/model.py          space-specific script that rebuilds the network (when the space has one)
    BUNDLE/model.onnx        the network at its input shape (random weights), for deployment tools
    BUNDLE/accelerator.yaml  the accelerator configuration (template + parameters)
    BUNDLE/NAME.json         the part of any other sub-space (a plugin's)
    BUNDLE/layers.csv        per-layer costs: cycles, latency, energy by component, traffic, mapping
    BUNDLE/metrics.json      network metrics (SI units)

Each sub-space writes its own files (``SubSpace.export_files``). ``evaluate_bundle`` rebuilds the
pipeline stored in bundle.json (with the reference scores a rank combination was prepared with),
re-scores parts.json and returns the metrics, which equal metrics.json. Bundles written before
pipelines were stored (a ``scoring`` section) are re-scored with the equivalent model pipeline.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from codesign.errors import CodesignError, ConfigError
from codesign.search.candidate import Candidate
from codesign.search.pipeline import Outcome, Pipeline, PipelineSpec
from codesign.yamlio import read_json_object, read_yaml

MANIFEST = "bundle.json"
PARTS_FILE = "parts.json"
#: Scoring fields of bundles written before issue 9 (``EvaluatorSpec``).
_LEGACY_SCORING = ("space", "space_options", "proxy", "proxy_options", "proxy_batch_size", "proxy_data",
                   "proxy_data_path", "cost_model", "goal", "batch", "seed")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def outcome_json(outcome: Outcome, candidate: Candidate, pipeline: Pipeline, with_layers: bool = True) -> dict[str, Any]:
    """The JSON object ``codesign evaluate`` prints for one design: each part's summary fields,
    then the metrics (and the per-layer costs)."""
    out: dict[str, Any] = {}
    for name, sub in pipeline.subspaces.items():
        if name in candidate.parts:
            out.update(sub.summary(candidate.part(name)))
    if outcome.error and not outcome.metrics.names():
        out.update(feasible=False, error=outcome.error)
        return out
    out.update(outcome.metrics.to_json())
    if outcome.error:
        out["error"] = outcome.error
    out = _clean(out)
    if with_layers and outcome.cost is not None:
        out["layers"] = outcome.cost.layer_rows(nan_as_none=True)  # clean already, column by column
    return out


def write_layers_csv(outcome: Outcome, path: Path) -> None:
    rows = outcome.cost.layer_rows() if outcome.cost is not None else []
    with path.open("w", newline="") as fh:
        if not rows:
            fh.write("")
            return
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def export_design(pipeline: Pipeline, candidate: Candidate, out_dir: Path, source: dict[str, Any],
                  onnx: bool = True) -> dict[str, Any]:
    """Write a bundle for ``candidate`` scored by ``pipeline`` (prepared); returns its metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outcome = pipeline.evaluate(candidate)
    if outcome.failed and not outcome.metrics.names():
        raise CodesignError(f"cannot export: evaluation failed ({outcome.error})")
    files = [PARTS_FILE, "layers.csv", "metrics.json"]
    errors: dict[str, str] = {}
    parts = {}
    for name, sub in pipeline.subspaces.items():
        part = candidate.part(name)
        parts[name] = sub.to_dict(part)
        for file_name, text in sub.export_files(part).items():
            (out_dir / file_name).write_text(text)
            files.append(file_name)
    if onnx:
        for stage in pipeline.stages:
            written, error = stage.export(candidate, out_dir)
            files += written
            if error:
                errors[stage.name] = error
    (out_dir / PARTS_FILE).write_text(json.dumps(parts, indent=2) + "\n")
    write_layers_csv(outcome, out_dir / "layers.csv")
    metrics = _clean(outcome.metrics.to_json())
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    from codesign import __version__

    manifest: dict[str, Any] = {"codesign_version": __version__, "source": source, "files": sorted(set(files)),
                                "pipeline": pipeline.spec.to_json()}
    if errors:
        manifest["onnx_error"] = "; ".join(errors.values())
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return metrics


def export_trial(run: Any, number: int, out_dir: str | Path, onnx: bool = True,
                 experiment: Any = None) -> dict[str, Any]:
    """Export trial ``number`` of a run (``experiment``: the run's, when already built)."""
    from codesign.search.experiment import Experiment

    record = run.trial(number)
    if record.state != "COMPLETE":
        raise CodesignError(f"trial {number} is {record.state.lower()}, not complete"
                            + (f" ({record.result['error']})" if record.result.get("error") else ""))
    experiment = experiment or Experiment.build(run.config())
    candidate = experiment.candidate_of(record, where=f"trial {number}")
    pipeline = experiment.pipeline
    prepared = Pipeline(pipeline.prepare(), experiment.subspaces)
    return export_design(prepared, candidate, Path(out_dir), source={"run": str(run.path.resolve()), "trial": number},
                         onnx=onnx)


def _bundle_json(path: Path) -> dict[str, Any]:
    """A JSON object file of a bundle; damage is a one-line error naming the file."""
    return read_json_object(path, "bundle file")


def _legacy_spec(manifest_path: Path, scoring: Any, template: str) -> PipelineSpec:
    import inspect

    from codesign.search.design import model_pipeline_spec

    where = f"{manifest_path}.scoring"
    if not isinstance(scoring, dict):
        raise ConfigError(where, "expected a mapping")
    unknown = set(scoring) - set(_LEGACY_SCORING)
    if unknown:
        raise ConfigError(where, f"unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(scoring.get("space"), str):
        raise ConfigError(f"{where}.space", "required (the search space name, a string)")
    defaults = inspect.signature(model_pipeline_spec).parameters
    for key, value in scoring.items():  # a field of another type would fail deep inside a proxy
        default = defaults[key].default
        if key != "space" and default is not None and value is not None and (
                type(value) is not type(default) and not (isinstance(default, float) and type(value) is int)):
            raise ConfigError(f"{where}.{key}", f"expected {type(default).__name__}, got {type(value).__name__}")
    s = dict(scoring)
    return model_pipeline_spec(s.pop("space"), template=template, **s)


def load_bundle(path: str | Path) -> tuple[Pipeline, Candidate, dict[str, Any]]:
    """Pipeline, candidate and stored metrics of an export bundle; a damaged file is a one-line
    error naming it."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ConfigError(str(path), f"not an export bundle (no {MANIFEST})")
    manifest = _bundle_json(manifest_path)
    stored = _bundle_json(path / "metrics.json")
    if "pipeline" in manifest:
        parts_path = path / PARTS_FILE
        parts = _bundle_json(parts_path)
        spec = PipelineSpec.from_json(manifest["pipeline"], f"{manifest_path}.pipeline")
        where = {name: f"{parts_path}.{name}" for name in parts}
    else:  # a bundle from before sub-spaces: the architecture and accelerator files
        parts = {"arch": _bundle_json(path / "arch.json"), "hw": read_yaml(path / "accelerator.yaml", "bundle file")}
        where = {"arch": str(path / "arch.json"), "hw": str(path / "accelerator.yaml")}
        if not isinstance(parts["hw"], dict):
            raise ConfigError(where["hw"], "expected a mapping (an accelerator configuration)")
        template = parts["hw"].get("template", "systolic")
        spec = _legacy_spec(manifest_path, manifest.get("scoring", {}), template)
    pipeline = Pipeline(spec)
    candidate = Candidate({name: sub.from_dict(parts.get(name), where.get(name, f"{path / PARTS_FILE}.{name}"))
                           for name, sub in pipeline.subspaces.items()})
    return pipeline, candidate, stored


def differences(outcome: Outcome, stored: dict[str, Any]) -> list[str]:
    """Keys of the stored metrics a re-scored ``outcome`` does not reproduce: every declared
    metric, and the feasibility (extras such as where and when it ran may differ)."""
    new = _clean(outcome.metrics.to_json())
    keys = [outcome.metrics.spec(name).key for name in outcome.metrics.names()] + ["feasible"]
    return [k for k in keys if new.get(k) != stored.get(k)]


def reproduces(outcome: Outcome, stored: dict[str, Any]) -> bool:
    """Whether a re-scored ``outcome`` gives the stored metrics (see ``differences``)."""
    return not differences(outcome, stored)


def evaluate_bundle(path: str | Path) -> tuple[Outcome, Candidate, Pipeline, dict[str, Any]]:
    """Re-score a bundle; returns the new outcome, the candidate, the pipeline and the stored metrics."""
    pipeline, candidate, stored = load_bundle(path)
    return pipeline.evaluate(candidate), candidate, pipeline, stored
