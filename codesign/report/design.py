"""The detail of one design for a report: its parts, metrics, per-layer costs, energy and area
splits, roofline.

A design is re-scored through a pipeline the way ``codesign export`` and ``codesign evaluate``
score it (``Pipeline.evaluate`` on the candidate rebuilt from the trial's stored parts), so the
layers add up to the totals that ``evaluate`` prints. Which pipeline (``detail_pipeline``):

- a run whose pipeline has a ``cost`` stage: that pipeline without its optional stages (the
  accuracy proxy: it does not change a layer's cost, and costs seconds per design);
- a run scored without one (the ``synthetic`` or ``table`` evaluator): a cost-only pipeline over
  the same sub-spaces (``network`` + ``cost`` stages, with the run's accelerator settings, and the
  stages active sub-spaces bring). Its totals are the analytical cost model's, not the trial's
  metrics; the page says so (``DetailPipeline.note``).

Every part is shown through its sub-space (``SubSpace.describe`` / ``to_dict``) and every metric
through its typed ``Metric`` (unit, meaning), so a sub-space or stage added later shows up
without an edit here.

Roofline (Williams, Waterman & Patterson, CACM 52(4), 2009): operational intensity is
operations (2 per MAC) per DRAM byte; the attainable throughput is
``min(peak, intensity x DRAM bandwidth)`` with ``peak = 2 x peak MACs/s``.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from codesign.costmodel.result import ENERGY_COMPONENTS
from codesign.errors import CodesignError
from codesign.report.trials import metric_info, shown
from codesign.search.candidate import Candidate
from codesign.search.pipeline import Outcome, Pipeline, PipelineSpec, PluginSpec, check_stages
from codesign.search.stages.base import STAGES

#: Operations counted per multiply-accumulate (a multiply and an add), for the roofline.
OPS_PER_MAC = 2.0
#: The stages of a cost-only pipeline, with the config field their options come from.
COST_STAGES = (("network", "network"), ("cost", "accelerator"))


@dataclass
class DetailPipeline:
    """The pipeline a report re-scores designs with, and what the page says about it."""

    pipeline: Pipeline | None
    note: str


def _checked(stages: tuple[PluginSpec, ...], subspaces: Mapping[str, Any]) -> bool:
    try:
        check_stages([(s.name, STAGES.get(s.name), s.name) for s in stages], list(subspaces))
    except CodesignError:
        return False
    return True


def detail_pipeline(spec: PipelineSpec, subspaces: Mapping[str, Any], config: Any = None) -> DetailPipeline:
    """The pipeline for per-layer detail of designs scored by ``spec`` (see the module
    docstring); ``config``: the run's experiment config (accelerator and network settings of a
    cost-only pipeline; ``None``: the stages' defaults)."""
    names = [s.name for s in spec.stages]
    if "cost" in names:
        kept = tuple(s for s in spec.stages if not STAGES.get(s.name).optional)
        stages = kept if _checked(kept, subspaces) else spec.stages
        dropped = [s.name for s in spec.stages if s not in stages]
        note = (f"re-scored by the run's pipeline ({', '.join(s.name for s in stages)}"
                + (f"; without {', '.join(dropped)}, which does not change a layer's cost" if dropped else "") + ")")
        return DetailPipeline(Pipeline(replace(spec, stages=stages), subspaces), note)
    if not all(part in subspaces for n, _ in COST_STAGES for part in STAGES.get(n).needs_parts):
        return DetailPipeline(None, f"per-layer detail is unavailable: the designs were scored by "
                                    f"{', '.join(names)}, and a cost model needs an architecture and an accelerator")
    try:
        base = tuple(PluginSpec(n, STAGES.get(n).options_from(config, None, where)) for n, where in COST_STAGES)
        brought = tuple(PluginSpec(n, STAGES.get(n).options_from(config, None, sub.config_field))
                        for sub in subspaces.values() for n in type(sub).stages)
    except CodesignError as exc:
        return DetailPipeline(None, f"per-layer detail is unavailable: no cost-only pipeline ({exc})")
    stages = base + brought if _checked(base + brought, subspaces) else base
    note = (f"the trials were scored by {', '.join(names)}, which has no cost model: this detail re-scores "
            f"the same parts with a cost-only pipeline ({', '.join(s.name for s in stages)}), so its totals "
            f"are the analytical cost model's, not the trial's metrics")
    return DetailPipeline(Pipeline(replace(spec, stages=stages), subspaces), note)


def _layer(row: dict[str, Any]) -> dict[str, Any]:
    dram = (row.get("dram_read_bytes") or 0.0) + (row.get("dram_write_bytes") or 0.0)
    ops = OPS_PER_MAC * (row.get("macs") or 0.0)
    latency = row.get("latency_s") or 0.0
    cycles = row.get("cycles") or 0.0
    stall_share = (row.get("stall_cycles") or 0.0) / cycles if cycles > 0 else 0.0
    return {
        "name": row["name"], "op": row["op"], "macs": row.get("macs"), "feasible": row.get("feasible", True),
        "reason": row.get("reason", ""), "mapping": row.get("mapping", ""),
        "latency_s": latency, "compute_s": latency * (1.0 - stall_share), "stall_s": latency * stall_share,
        "utilization": row.get("utilization"),
        "energy_j": {c: row.get(f"energy_{c}_j") or 0.0 for c in ENERGY_COMPONENTS},
        "dram_bytes": dram,
        # Layers without MACs or DRAM traffic have no point on the roofline.
        "intensity": ops / dram if dram > 0 and ops > 0 else None,
        "throughput": ops / latency if latency > 0 and ops > 0 else None,
    }


def _roofline(candidate: Candidate) -> dict[str, float] | None:
    """Peak and DRAM bandwidth of the part that has them (an accelerator), else ``None``."""
    for part in candidate.parts.values():
        peak, dram = getattr(part, "peak_macs_per_s", None), getattr(part, "dram_gbps", None)
        if isinstance(peak, (int, float)) and isinstance(dram, (int, float)):
            return {"peak_ops_s": OPS_PER_MAC * peak, "dram_bytes_s": dram * 1e9}
    return None


def parts_detail(subspaces: Mapping[str, Any], candidate: Candidate) -> list[dict[str, Any]]:
    """Each sub-space's part: title, short text and stored form."""
    return [{"name": name, "title": sub.title or name, "text": sub.describe(candidate.part(name)),
             "data": sub.to_dict(candidate.part(name))}
            for name, sub in subspaces.items() if name in candidate.parts]


def outcome_detail(pipeline: Pipeline, candidate: Candidate, outcome: Outcome) -> dict[str, Any]:
    """The detail of a scored design (plain data; layers in SI units, metrics in display units)."""
    metrics = outcome.metrics
    extras = metrics.extras
    layers = [_layer(layer.to_row()) for layer in outcome.cost.layers()] if outcome.cost is not None else []
    timeline = extras.get("split_timeline")  # per-tier timeline, from a stage that has one
    return {
        "parts": parts_detail(pipeline.subspaces, candidate),
        "feasible": outcome.feasible and not outcome.failed,
        "error": outcome.error or "; ".join(outcome.reasons),
        "metrics": [{**metric_info(metrics.spec(n)), "value": shown(metrics.spec(n), metrics.value(n))}
                    for n in metrics.names()],
        "utilization": extras.get("utilization"), "cycles": extras.get("cycles"),
        "energy_split_j": extras.get("energy_breakdown_j") or {},
        "area_mm2": extras.get("area_breakdown_mm2") or {},
        "roofline": _roofline(candidate),
        "layers": layers,
        "split": list(timeline) if timeline else None,
    }


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run torch on one thread: tracing a small network (one forward pass at batch 1) is ~10x
    faster than with torch's default pool on a busy machine (``benchmarks/report_speed.py``)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def design_detail(pipeline: Pipeline, candidate: Candidate) -> dict[str, Any]:
    """Re-score ``candidate`` through ``pipeline`` and return its detail."""
    with one_torch_thread():
        return outcome_detail(pipeline, candidate, pipeline.evaluate(candidate))
