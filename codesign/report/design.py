"""The detail of one design for a report: per-layer costs, energy and area splits, roofline.

A design is re-scored the way ``codesign export`` and ``codesign evaluate`` score it (the run's
space, accelerator and cost-model settings, ``Evaluator.evaluate``), so the layers add up to the
totals that ``evaluate`` prints. Only the cost model is run: the accuracy proxy does not change a
layer's cost, and a run scored by the ``synthetic`` or ``table`` evaluator still has real
architectures on real accelerator templates, whose analytical costs are then shown (the page says
which evaluator produced the trial's own metrics).

Roofline (Williams, Waterman & Patterson, CACM 52(4), 2009): operational intensity is
operations (2 per MAC) per DRAM byte; the attainable throughput is
``min(peak, intensity x DRAM bandwidth)`` with ``peak = 2 x PEs x clock``.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from codesign.costmodel.result import ENERGY_COMPONENTS
from codesign.hardware.presets import accelerator_from_dict
from codesign.search.evaluator import Candidate, Evaluator, Outcome
from codesign.storage.run_dir import TrialRecord

#: Operations counted per multiply-accumulate (a multiply and an add), for the roofline.
OPS_PER_MAC = 2.0


def cost_evaluator(experiment: Any) -> Evaluator:
    """The run's scoring settings with the cost model only (no proxy), as a ``model`` evaluator."""
    return Evaluator(replace(experiment.evaluator_spec, proxy=None, evaluator="model", evaluator_options={}))


def trial_candidate(experiment: Any, record: TrialRecord) -> Candidate:
    """The design of a trial, rebuilt from what the trial stored (as ``codesign export`` does)."""
    arch = experiment.space.parse(record.result["arch"]["key"])
    hardware = accelerator_from_dict(record.result["hardware"], where=f"trial {record.number}.hardware")
    return Candidate(arch, hardware)


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


def split_timeline(candidate: Candidate, outcome: Outcome) -> list[dict[str, Any]] | None:
    """Per-tier timeline of one inference for a split design (device compute, uplink, MEC,
    backhaul, cloud), or ``None`` for a single-device design. The hook the split-computing work
    (``codesign/split``) fills: each entry ``{"tier", "start_s", "duration_s"}``."""
    if not candidate.split:
        return None
    timeline = outcome.metrics.get("split_timeline")
    return list(timeline) if timeline else None


def outcome_detail(candidate: Candidate, outcome: Outcome) -> dict[str, Any]:
    """The detail of a scored design (plain data, SI units)."""
    hw = candidate.hardware
    metrics = outcome.metrics
    layers = [_layer(layer.to_row()) for layer in outcome.cost.layers()] if outcome.cost is not None else []
    return {
        "arch": candidate.arch.key, "space": candidate.arch.space, "accelerator": hw.to_dict(),
        "summary": hw.summary(), "feasible": outcome.feasible and not outcome.failed,
        "error": outcome.error or "; ".join(outcome.reasons),
        "metrics": {k: metrics.get(k) for k in ("latency_s", "energy_j", "edp_js", "power_w", "area_mm2",
                                                 "cycles", "macs", "utilization", "params", "leakage_w")},
        "energy_split_j": metrics.get("energy_breakdown_j") or {},
        "area_mm2": metrics.get("area_breakdown_mm2") or {},
        "roofline": {"peak_ops_s": OPS_PER_MAC * hw.peak_macs_per_s, "dram_bytes_s": hw.dram_gbps * 1e9},
        "layers": layers,
        "split": split_timeline(candidate, outcome),
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


def design_detail(evaluator: Evaluator, candidate: Candidate) -> dict[str, Any]:
    """Re-score ``candidate`` with ``evaluator`` and return its detail."""
    with one_torch_thread():
        return outcome_detail(candidate, evaluator.evaluate(candidate))
