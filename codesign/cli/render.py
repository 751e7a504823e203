"""Human-readable tables for the CLI (rich), in display units."""
from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from codesign.report.front import Front
from codesign.search.metrics import METRICS
from codesign.spaces.base import SearchSpace

# Piped output gets a wide, fixed width so that tables do not wrap at 80 columns.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _hardware_summary(hardware: dict[str, Any], searched: list[str]) -> str:
    params = hardware.get("params", {})
    parts = [f"{params.get('rows')}x{params.get('cols')}", str(params.get("dataflow", ""))]
    for name in searched:
        if name in ("rows", "cols", "dataflow"):
            continue
        value = params.get(name)
        unit = "KiB" if name.endswith("_kib") else ""
        label = name.replace("_sram_kib", "").replace("_kib", "")
        parts.append(f"{label}={value:g}{unit}" if isinstance(value, (int, float)) else f"{label}={value}")
    return " ".join(parts)


def front_table(front: Front, space: SearchSpace, searched_hw: list[str], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("trial", justify="right")
    for o in front.objectives:
        arrow = "↑" if o.direction == "maximize" else "↓"
        table.add_column(escape(f"{o.metric.header()} {arrow}"), justify="right")
    shown = {o.metric.name for o in front.objectives}
    extra = [m for m in ("latency", "energy", "area") if m not in shown]
    for name in extra:
        table.add_column(escape(METRICS[name].header()), justify="right")
    table.add_column("architecture")
    table.add_column("accelerator")
    for r in front.trials:
        metrics = r.metrics
        cells = [str(r.number)]
        cells += [o.metric.to_display(metrics.get(o.metric.key)) for o in front.objectives]
        cells += [METRICS[name].to_display(metrics.get(METRICS[name].key)) for name in extra]
        arch = r.result.get("arch", {})
        try:
            arch_text = space.describe(space.parse(arch["key"]))
        except Exception:  # noqa: BLE001 - a key from another space version: show it raw
            arch_text = arch.get("key", "?")
        cells += [arch_text, _hardware_summary(r.result.get("hardware", {}), searched_hw)]
        table.add_row(*(escape(c) for c in cells))
    return table


def design_summary(result: dict[str, Any]) -> Table:
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("architecture", escape(f"{result.get('space')}:{result.get('arch')}"))
    hw = result.get("accelerator", {})
    table.add_row("accelerator", f"{hw.get('template')} " + ", ".join(f"{k}={v}" for k, v in hw.get("params", {}).items()))
    if not result.get("feasible", False):
        reasons = result.get("infeasible_reasons") or [result.get("error", "")]
        table.add_row("feasible", "[red]no[/red]: " + escape("; ".join(reasons[:5])))
        return table
    for name in ("latency", "energy", "power", "area", "edp", "macs", "params"):
        m = METRICS[name]
        table.add_row(escape(m.header()), m.to_display(result.get(m.key)))
    table.add_row("cycles", f"{result.get('cycles'):,.0f}")
    util = result.get("utilization")
    table.add_row("utilization", "-" if util is None else f"{100 * util:.1f} %")
    if result.get("proxy") is not None:
        table.add_row(f"proxy ({result.get('proxy_name')})", f"{result['proxy']:.4g}")
    breakdown = result.get("energy_breakdown_j", {})
    total = sum(v for v in breakdown.values() if v) or 1.0
    table.add_row("energy split", ", ".join(f"{k} {100 * (v or 0) / total:.0f}%" for k, v in breakdown.items()))
    return table


def layers_table(layers: list[dict[str, Any]], limit: int = 40) -> Table:
    table = Table(title=f"per-layer cost ({min(limit, len(layers))} of {len(layers)} layers, costliest first)",
                  title_justify="left")
    for col, justify in (("layer", "left"), ("op", "left"), ("MACs [M]", "right"), ("cycles", "right"),
                         ("util", "right"), ("energy [uJ]", "right"), ("DRAM [KiB]", "right"), ("mapping", "left")):
        table.add_column(escape(col), justify=justify)
    ranked = sorted(layers, key=lambda row: -(row.get("cycles") or 0))[:limit]

    def num(value: Any, fmt: str, scale: float = 1.0) -> str:
        return "-" if value is None else format(value * scale, fmt)  # None: the layer cannot run

    for row in ranked:
        dram = (row.get("dram_read_bytes") or 0) + (row.get("dram_write_bytes") or 0)
        mapping = row.get("mapping", "") if row.get("feasible", True) else f"infeasible: {row.get('reason', '')}"
        table.add_row(escape(row["name"]), row["op"], num(row.get("macs"), ".2f", 1e-6), num(row.get("cycles"), ",.0f"),
                      num(row.get("utilization"), ".0f", 100) + "%", num(row.get("energy_j"), ".3g", 1e6),
                      f"{dram / 1024:.1f}", escape(mapping))
    return table
