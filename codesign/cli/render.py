"""Human-readable tables for the CLI (rich), in display units."""
from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from codesign.report.front import Front
from codesign.search.metrics import METRICS, Metric

# Piped output gets a wide, fixed width so that tables do not wrap at 80 columns.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)


#: Metrics a front table shows besides the objectives, when the experiment has them.
_CONTEXT_METRICS = ("latency", "energy", "area")


def front_table(front: Front, subspaces: Mapping[str, Any], title: str,
                metrics: Mapping[str, Metric] = METRICS) -> Table:
    """The front as a table: objectives, context metrics, one column per sub-space's part."""
    table = Table(title=title, title_justify="left")
    table.add_column("trial", justify="right")
    for o in front.objectives:
        arrow = "↑" if o.direction == "maximize" else "↓"
        table.add_column(escape(f"{o.metric.header()} {arrow}"), justify="right")
    shown = {o.metric.name for o in front.objectives}
    extra = [metrics[m] for m in _CONTEXT_METRICS if m not in shown and m in metrics]
    for m in extra:
        table.add_column(escape(m.header()), justify="right")
    for name, sub in subspaces.items():
        table.add_column(sub.title or name)
    for r in front.trials:
        values = r.metrics
        again = front.repeated_by.get(r.number)
        cells = [str(r.number) + (f" (= {', '.join(map(str, again))})" if again else "")]
        cells += [o.metric.to_display(values.get(o.metric.key)) for o in front.objectives]
        cells += [m.to_display(values.get(m.key)) for m in extra]
        for name, sub in subspaces.items():
            data = r.part_data(name)
            cells.append("?" if data is None else sub.describe_record(data, values))
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
    if isinstance(result.get("split_cut"), dict):  # a split design (docs/split.md)
        from codesign.split.subspace import split_summary

        table.add_row("split", escape(split_summary(result)))
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
