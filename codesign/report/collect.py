"""Everything a report shows, gathered into one plain-data payload (display units for plotted
values, SI in the per-design detail), which ``html.py`` embeds and the page's script draws.

Per-layer detail is computed for front designs only (re-scoring costs one cost-model evaluation
and one network trace per design); ``detail_limit`` caps how many, spread evenly along the front
sorted by its first objective, so a huge front still builds quickly; the page says how many."""
from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path
from typing import Any

from codesign.report.convergence import convergence
from codesign.report.design import cost_evaluator, design_detail, trial_candidate
from codesign.report.importance import importances
from codesign.report.options import DETAIL_LIMIT
from codesign.report.status import run_status
from codesign.report.trials import RunView, display_factor
from codesign.search.metrics import METRICS, Metric

#: Metrics shown in every hover and in the front table (besides the objectives).
HOVER_METRICS = ("proxy", "latency", "energy", "edp", "power", "area", "params", "macs")


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _shown(metric: Metric, value: Any) -> float | None:
    value = _finite(value)
    return None if value is None else float(f"{value * display_factor(metric):.6g}")


def metric_info(metric: Metric) -> dict[str, Any]:
    return {"name": metric.name, "key": metric.key, "unit": metric.display_unit, "label": metric.header(),
            "doc": metric.doc}


def _arch_text(view: RunView, key: str) -> str:
    space = view.experiment.space
    try:
        return space.describe(space.parse(key))
    except Exception:  # noqa: BLE001 - a key from another space version: show it raw
        return key


def _param_value(value: Any) -> Any:
    return value if isinstance(value, (str, bool)) or value is None else float(f"{float(value):.6g}")


def trial_rows(view: RunView) -> list[dict[str, Any]]:
    """One compact row per trial: number, class, objective values, parameters, hover metrics."""
    rows = []
    for r in view.records:
        metrics = r.metrics
        cls = view.trial_class(r)
        placeholders = set(r.result.get("placeholder_objectives", []))
        values = [None if o.metric.name in placeholders else _shown(o.metric, metrics.get(o.metric.key))
                  for o in view.objectives]
        row: dict[str, Any] = {
            "n": r.number, "c": cls, "v": values,
            "p": {k: _param_value(v) for k, v in r.params.items()},
            "m": {name: _shown(METRICS[name], metrics.get(METRICS[name].key)) for name in HOVER_METRICS
                  if _finite(metrics.get(METRICS[name].key)) is not None},
        }
        arch = r.result.get("arch", {})
        if arch.get("key"):
            row["a"] = arch["key"]
        why = r.result.get("error") or r.result.get("infeasible")
        if why:
            row["why"] = str(why)[:300]
        rows.append(row)
    return rows


def _spread(items: list[Any], limit: int) -> list[Any]:
    """At most ``limit`` items, evenly spaced (first and last kept)."""
    if limit <= 0:
        return []
    if len(items) <= limit:
        return list(items)
    if limit == 1:
        return [items[0]]
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


def front_table(view: RunView) -> list[dict[str, Any]]:
    """The front, sorted by the first objective, with each design's export command."""
    searched = [d.name for d in view.experiment.hardware.dimensions]
    rows = []
    for r in view.front.trials:
        hw = r.result.get("hardware", {}).get("params", {})
        rows.append({
            "trial": r.number,
            "values": [_shown(o.metric, r.metrics.get(o.metric.key)) for o in view.objectives],
            "metrics": {name: _shown(METRICS[name], r.metrics.get(METRICS[name].key)) for name in HOVER_METRICS},
            "arch": _arch_text(view, r.result.get("arch", {}).get("key", "")),
            "hardware": {k: hw.get(k) for k in searched},
            "export": f"codesign export {view.run_dir.path} --trial {r.number} --out design-{r.number}",
        })
    return rows


def _experiment(view: RunView, status: dict[str, Any]) -> dict[str, Any]:
    cfg = view.experiment.config
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
    accel = cfg.accelerator
    return {
        "name": cfg.name, "description": cfg.description or "",
        "space": {"name": cfg.space.name, "options": cfg.space.options},
        "accelerator": {"template": accel.template or "", "preset": accel.preset or "", "params": accel.params,
                        "search": {d.name: d.describe() for d in view.experiment.hardware.dimensions},
                        "cost_model": accel.cost_model or "", "goal": accel.goal},
        "objectives": [{**metric_info(o.metric), "direction": o.direction} for o in view.objectives],
        "constraints": [f"{c.metric.name} {c.text}" for c in view.experiment.constraints],
        "strategy": {"name": cfg.strategy.name, "options": cfg.strategy.options},
        "evaluator": cfg.evaluator.name, "budget": {"trials": cfg.budget.trials, "time_s": cfg.budget.time},
        "counts": counts, "trials": len(view.records), "span_s": span,
        "rate_per_s": (len(ended) / span) if span else None,
        "first_start": dt.datetime.fromtimestamp(min(started)).isoformat(timespec="seconds") if started else None,
        "state": status["state"], "time_left_s": status.get("time_left_s"),
    }


def run_payload(view: RunView, detail_limit: int = DETAIL_LIMIT, importance: str = "ped_anova") -> dict[str, Any]:
    """The report of a run (see the module docstring)."""
    build_start = time.perf_counter()
    status = run_status(view.run_dir, experiment=view.experiment, records=view.records)
    chosen = _spread(view.front.trials, detail_limit)
    evaluator = cost_evaluator(view.experiment) if chosen else None
    details: dict[str, Any] = {}
    for r in chosen:
        details[str(r.number)] = design_detail(evaluator, trial_candidate(view.experiment, r))
    study = view.run_dir.study()
    return {
        "kind": "run", "title": f"codesign report: {view.experiment.config.name}",
        "generated": dt.datetime.now().isoformat(timespec="seconds"), "run_dir": str(view.run_dir.path),
        "in_progress": status["state"] == "running", "status": status,
        "experiment": _experiment(view, status),
        "params": view.searched_params(),
        "hover_metrics": [metric_info(METRICS[name]) for name in HOVER_METRICS],
        "trials": trial_rows(view),
        "convergence": convergence(view.records, view.objectives),
        "importances": importances(study, view.records, view.objectives, evaluator=importance,
                                   seed=view.experiment.config.seed),
        "importance_evaluator": importance,
        "front": front_table(view),
        "details": details, "detail_total": len(view.front.trials),
        "arch_text": {str(r.number): _arch_text(view, r.result.get("arch", {}).get("key", ""))
                      for r in view.front.trials},
        "build_seconds": round(time.perf_counter() - build_start, 3),
    }


def bundle_payload(path: str | Path) -> dict[str, Any]:
    """The single-design report of an export bundle (``codesign export``)."""
    from codesign.report.export import MANIFEST, load_bundle

    evaluator, candidate, stored = load_bundle(path)
    import json

    manifest = json.loads((Path(path) / MANIFEST).read_text())
    detail = design_detail(evaluator, candidate)
    return {
        "kind": "bundle", "title": f"codesign design: {candidate.arch.space}:{candidate.arch.key}",
        "generated": dt.datetime.now().isoformat(timespec="seconds"), "bundle": str(path),
        "source": manifest.get("source", {}), "scoring": manifest.get("scoring", {}),
        "stored_metrics": stored, "hover_metrics": [metric_info(METRICS[name]) for name in HOVER_METRICS],
        "details": {"bundle": detail}, "arch_text": {"bundle": candidate.arch.key},
    }
