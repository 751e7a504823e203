"""Everything a report shows, gathered into one plain-data payload (display units for plotted
values, SI in the per-design detail), which ``html.py`` embeds and the page's script draws.

Per-layer detail is computed for front designs only (re-scoring costs one cost-model evaluation
and one network trace per design); ``detail_limit`` caps how many, spread evenly along the front
sorted by its first objective, so a huge front still builds quickly; the page says how many."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from codesign.report.convergence import convergence
from codesign.report.design import DetailPipeline, design_detail, detail_pipeline, parts_detail
from codesign.report.importance import importances
from codesign.report.options import DETAIL_LIMIT
from codesign.report.status import run_status
from codesign.report.trials import RunView, metric_info, shown, spread


def _param_value(value: Any) -> Any:
    return value if isinstance(value, (str, bool)) or value is None else float(f"{float(value):.6g}")


def trial_rows(view: RunView) -> list[dict[str, Any]]:
    """One compact row per trial: number, class, objective values, parameters, every available
    metric it has (display units)."""
    available = list(view.experiment.metrics.values())
    rows = []
    for r in view.records:
        metrics = r.metrics
        cls = view.trial_class(r)
        placeholders = set(r.result.get("placeholder_objectives", []))
        values = [None if o.metric.name in placeholders else shown(o.metric, metrics.get(o.metric.key))
                  for o in view.objectives]
        row: dict[str, Any] = {
            "n": r.number, "c": cls, "v": values,
            "p": {k: _param_value(v) for k, v in r.params.items()},
            "m": {m.name: v for m in available if (v := shown(m, metrics.get(m.key))) is not None},
        }
        why = r.result.get("error") or r.result.get("infeasible")
        if why:
            row["why"] = str(why)[:300]
        rows.append(row)
    return rows


def front_table(view: RunView) -> list[dict[str, Any]]:
    """The front, sorted by the first objective: values, metrics, each sub-space's part (its
    ``describe`` text) and each design's export command."""
    subspaces = view.experiment.subspaces
    rows = []
    for r in view.front.trials:
        parts = {}
        for name, sub in subspaces.items():
            data = r.part_data(name)
            parts[name] = "?" if data is None else sub.describe_data(data)
        rows.append({
            "trial": r.number,
            "values": [shown(o.metric, r.metrics.get(o.metric.key)) for o in view.objectives],
            "metrics": {m.name: shown(m, r.metrics.get(m.key)) for m in view.experiment.metrics.values()},
            "parts": parts,
            "export": f"codesign export {view.run_dir.path} --trial {r.number} --out design-{r.number}",
        })
    return rows


def _json_options(options: Any) -> Any:
    return options.model_dump(mode="json") if hasattr(options, "model_dump") else options


def _experiment(view: RunView, status: dict[str, Any], detail: DetailPipeline) -> dict[str, Any]:
    exp = view.experiment
    cfg = exp.config
    started = [r.started for r in view.records if r.started is not None]
    ended = [r.completed for r in view.records if r.completed is not None]
    span = (max(ended) - min(started)) if started and ended else None
    counts = {c: 0 for c in ("complete", "feasible", "infeasible", "failed", "running")}
    for r in view.records:
        counts["complete"] += r.state == "COMPLETE"
        counts["feasible"] += r.feasible
        counts["infeasible"] += r.infeasible
        counts["failed"] += r.state == "FAIL"
        counts["running"] += r.state == "RUNNING"
    return {
        "name": cfg.name, "description": cfg.description or "",
        "subspaces": [{"name": name, "title": sub.title or name, "field": sub.config_field,
                       "options": _json_options(sub.options),
                       "search": {d.name: d.describe() for d in sub.dimensions()}}
                      for name, sub in exp.subspaces.items()],
        "stages": [{"name": s.name, "options": _json_options(s.options)} for s in exp.pipeline_spec.stages],
        "objectives": [{**metric_info(o.metric), "direction": o.direction} for o in view.objectives],
        "constraints": [f"{c.metric.name} {c.text}" for c in exp.constraints],
        "strategy": {"name": cfg.strategy.name, "options": cfg.strategy.options},
        "evaluator": cfg.evaluator.name, "detail_note": detail.note,
        "budget": {"trials": cfg.budget.trials, "time_s": cfg.budget.time},
        "counts": counts, "trials": len(view.records), "span_s": span,
        "rate_per_s": (len(ended) / span) if span else None,
        "first_start": dt.datetime.fromtimestamp(min(started)).isoformat(timespec="seconds") if started else None,
        "state": status["state"], "time_left_s": status.get("time_left_s"),
    }


def run_detail_pipeline(view: RunView) -> DetailPipeline:
    """The pipeline a run's designs are re-scored with for their detail."""
    exp = view.experiment
    return detail_pipeline(exp.pipeline_spec, exp.subspaces, exp.config)


def _details(view: RunView, detail: DetailPipeline, limit: int) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if detail.pipeline is None:
        return details
    for r in spread(view.front.trials, limit):
        details[str(r.number)] = design_detail(detail.pipeline, view.experiment.candidate_of(r, f"trial {r.number}"))
    return details


def run_payload(view: RunView, detail_limit: int = DETAIL_LIMIT, importance: str = "ped_anova") -> dict[str, Any]:
    """The report of a run (see the module docstring)."""
    build_start = time.perf_counter()
    status = run_status(view.run_dir, experiment=view.experiment, records=view.records)
    detail = run_detail_pipeline(view)
    ranked = importances(view.frozen, view.records, view.objectives, evaluator=importance,
                         seed=view.experiment.config.seed)
    return {
        "kind": "run", "title": f"codesign report: {view.experiment.config.name}",
        "generated": dt.datetime.now().isoformat(timespec="seconds"), "run_dir": str(view.run_dir.path),
        "in_progress": status["state"] == "running", "status": status,
        "experiment": _experiment(view, status, detail),
        "params": view.searched_params(),
        "subspace_titles": {name: sub.title or name for name, sub in view.experiment.subspaces.items()},
        "hover_metrics": [metric_info(m) for m in view.experiment.metrics.values()],
        "trials": trial_rows(view),
        "convergence": convergence(view.records, view.objectives),
        "importances": ranked.values, "importance_evaluator": importance,
        "importance_trials": ranked.trials, "importance_feasible": ranked.feasible,
        "front": front_table(view),
        "details": _details(view, detail, detail_limit), "detail_total": len(view.front.trials),
        "detail_note": detail.note,
        "build_seconds": round(time.perf_counter() - build_start, 3),
    }


def bundle_payload(path: str | Path) -> dict[str, Any]:
    """The single-design report of an export bundle (``codesign export``)."""
    import json

    from codesign.report.export import MANIFEST, load_bundle

    pipeline, candidate, stored = load_bundle(path)
    manifest = json.loads((Path(path) / MANIFEST).read_text())
    detail = detail_pipeline(pipeline.spec, pipeline.subspaces)
    details = {"bundle": design_detail(detail.pipeline, candidate)} if detail.pipeline is not None else {}
    parts = parts_detail(pipeline.subspaces, candidate)
    return {
        "kind": "bundle", "title": "codesign design: " + " | ".join(p["text"] for p in parts),
        "generated": dt.datetime.now().isoformat(timespec="seconds"), "bundle": str(path),
        "source": manifest.get("source", {}), "pipeline": manifest.get("pipeline", manifest.get("scoring", {})),
        "stored_metrics": stored, "parts": parts, "detail_note": detail.note,
        "hover_metrics": [], "details": details,
    }
