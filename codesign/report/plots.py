"""Static figures for papers and slides (matplotlib, headless ``Agg``): the front of two
objectives, convergence, one design's per-layer breakdown and its roofline. PNG or SVG by the
output's suffix; axes carry their units."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from codesign.costmodel.result import ENERGY_COMPONENTS
from codesign.errors import ConfigError
from codesign.report.convergence import convergence
from codesign.report.options import PLOT_KINDS
from codesign.report.trials import RunView

KINDS = PLOT_KINDS
FORMATS = (".png", ".svg")
#: Marks per trial class (front / dominated / infeasible), as in the HTML report.
_STYLE = {"front": dict(marker="D", s=36, c="#d62728", edgecolors="#222", linewidths=0.6, zorder=3, label="Pareto front"),
          "dominated": dict(marker="o", s=14, c="#6e8fbf", alpha=0.5, zorder=2, label="dominated"),
          "infeasible": dict(marker="x", s=14, c="#999999", alpha=0.7, zorder=1, label="infeasible")}
_COLORS = {"mac": "#4c78a8", "rf": "#f58518", "noc": "#54a24b", "buffer": "#b279a2", "dram": "#e45756",
           "vector": "#72b7b2", "leakage": "#9d755d"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check_out(out: str | Path) -> Path:
    path = Path(out)
    if path.suffix.lower() not in FORMATS:
        raise ConfigError("--out", f"{path.name}: the file must end in {' or '.join(FORMATS)}")
    return path


def plot_front(view: RunView, names: list[str] | None, ax: Any) -> None:
    """Two objectives (``names``, default the first two) of every trial, by class."""
    objs = [view.objective(n) for n in names] if names else view.objectives[:2]
    if len(objs) != 2 and not (len(objs) == 1 and len(view.objectives) == 1):
        raise ConfigError("--objectives", f"give two objectives (a,b), got {len(objs)}")
    from codesign.report.collect import trial_rows

    idx = [view.objectives.index(o) for o in objs]
    rows = trial_rows(view)
    if len(objs) == 1:  # a single objective: its value per trial
        pts = [r for r in rows if r["c"] in ("front", "dominated") and r["v"][idx[0]] is not None]
        ax.scatter([r["n"] for r in pts], [r["v"][idx[0]] for r in pts], **_STYLE["dominated"])
        ax.set_xlabel("trial")
        ax.set_ylabel(objs[0].metric.header())
        return
    for cls in ("infeasible", "dominated", "front"):
        pts = [r for r in rows if r["c"] == cls and all(r["v"][i] is not None for i in idx)]
        if not pts:
            continue
        if cls == "front":
            pts.sort(key=lambda r: r["v"][idx[0]])
        style = dict(_STYLE[cls])
        style["label"] = f"{style['label']} ({len(pts)})"
        ax.scatter([r["v"][idx[0]] for r in pts], [r["v"][idx[1]] for r in pts], **style)
    for o, setter in zip(objs, (ax.set_xlabel, ax.set_ylabel), strict=True):
        setter(f"{o.metric.header()} ({o.direction})")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{view.experiment.config.name}: {objs[0].metric.name} vs {objs[1].metric.name}")


def plot_hypervolume(view: RunView, ax: Any) -> None:
    """Hypervolume and front size after each finished trial."""
    c = convergence(view.records, view.objectives)
    hv = [(n, v) for n, v in zip(c["hv_finished"], c["hypervolume"], strict=True) if v is not None]
    ax.plot([n for n, _ in hv], [v for _, v in hv], color="#4c78a8", label="hypervolume")
    ax.set_xlabel("finished trials")
    ax.set_ylabel("hypervolume (fraction of reference box)")
    twin = ax.twinx()
    twin.step(c["finished"], c["front_size"], where="post", color="#d62728", label="front size")
    twin.set_ylabel("front size [designs]")
    ax.set_title(f"{view.experiment.config.name}: convergence")
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower right", fontsize=8)


def plot_layers(detail: dict[str, Any], title: str, axes: Any) -> None:
    """Per-layer latency (compute / stalled) and energy by component, stacked."""
    import numpy as np

    layers = detail["layers"]
    x = np.arange(len(layers))
    lat_ax, en_ax = axes
    compute = np.array([layer["compute_s"] for layer in layers]) * 1e6
    stall = np.array([layer["stall_s"] for layer in layers]) * 1e6
    lat_ax.bar(x, compute, color="#4c78a8", label="compute")
    lat_ax.bar(x, stall, bottom=compute, color="#e45756", label="stalled on memory")
    lat_ax.set_ylabel("latency [µs]")
    lat_ax.legend(fontsize=8)
    lat_ax.set_title(title)
    bottom = np.zeros(len(layers))
    for comp in ENERGY_COMPONENTS:
        values = np.array([layer["energy_j"][comp] for layer in layers]) * 1e6
        if not values.any():
            continue
        en_ax.bar(x, values, bottom=bottom, color=_COLORS[comp], label=comp)
        bottom += values
    en_ax.set_ylabel("energy [µJ]")
    en_ax.set_xlabel("layer")
    en_ax.set_xticks(x, [layer["name"] for layer in layers], rotation=90, fontsize=6)
    en_ax.legend(fontsize=8, ncol=4)


def plot_roofline(detail: dict[str, Any], title: str, ax: Any) -> None:
    """Layers on the accelerator's roofline (log-log)."""
    import numpy as np

    roof = detail["roofline"]
    pts = [layer for layer in detail["layers"] if layer["intensity"] and layer["throughput"]]
    xs = np.array([layer["intensity"] for layer in pts] or [1.0])
    lo, hi = xs.min() / 4, xs.max() * 4
    grid = np.geomspace(lo, hi, 200)
    ax.loglog(grid, np.minimum(roof["peak_ops_s"], grid * roof["dram_bytes_s"]) / 1e9, color="#222", label="roof")
    ax.scatter([layer["intensity"] for layer in pts], [layer["throughput"] / 1e9 for layer in pts], color="#d62728",
               s=18, zorder=3, label="layers")
    ax.set_xlabel("operational intensity [op / DRAM byte]")
    ax.set_ylabel("throughput [GOP/s]")
    ax.set_title(f"{title}\npeak {roof['peak_ops_s'] / 1e9:.4g} GOP/s, DRAM {roof['dram_bytes_s'] / 1e9:.4g} GB/s")
    ax.legend(fontsize=8)


def save_figure(fig: Any, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    _pyplot().close(fig)
    return out


def plot_run(view: RunView, kind: str, out: str | Path, trial: int | None = None,
             objectives: list[str] | None = None) -> Path:
    """Draw ``kind`` for a run into ``out`` (PNG or SVG)."""
    out = check_out(out)
    if kind not in KINDS:
        raise ConfigError("--kind", f"unknown plot {kind!r} (known: {', '.join(KINDS)})")
    plt = _pyplot()
    if kind in ("front", "hypervolume"):
        fig, ax = plt.subplots(figsize=(6.4, 4.8))
        plot_front(view, objectives, ax) if kind == "front" else plot_hypervolume(view, ax)
        return save_figure(fig, out)
    detail, title = _trial_detail(view, trial)
    return plot_detail(detail, kind, title, out)


def plot_detail(detail: dict[str, Any], kind: str, title: str, out: str | Path) -> Path:
    """Draw ``layers`` or ``roofline`` of one design's detail into ``out``."""
    out = check_out(out)
    if kind not in ("layers", "roofline"):
        raise ConfigError("--kind", f"a single design has the plots layers and roofline, not {kind!r}")
    plt = _pyplot()
    if kind == "layers":
        fig, axes = plt.subplots(2, 1, figsize=(max(6.4, 0.18 * len(detail["layers"]) + 2), 6.4), sharex=True)
        plot_layers(detail, title, axes)
    else:
        fig, axes = plt.subplots(figsize=(6.4, 4.8))
        plot_roofline(detail, title, axes)
    return save_figure(fig, out)


def detail_title(detail: dict[str, Any]) -> str:
    """One line naming a design by its parts."""
    return " | ".join(p["text"] for p in detail["parts"])


def _trial_detail(view: RunView, trial: int | None) -> tuple[dict[str, Any], str]:
    from codesign.report.collect import run_detail_pipeline
    from codesign.report.design import design_detail

    if trial is None:
        if not view.front.trials:
            raise ConfigError("--trial", "the run has no front design yet; give --trial N")
        record = view.front.trials[0]
    else:
        record = view.record(trial)
        if record.state != "COMPLETE":
            raise ConfigError("--trial", f"trial {trial} is {record.state.lower()}: it has no design to plot")
    scoring = run_detail_pipeline(view)
    if scoring.pipeline is None:
        raise ConfigError("--kind", scoring.note)
    detail = design_detail(scoring.pipeline, view.experiment.candidate_of(record, f"trial {record.number}"))
    if detail["roofline"] is None or not detail["layers"]:
        raise ConfigError("--trial", f"trial {record.number} has no per-layer costs to plot ({detail['error'] or 'no layers'})")
    return detail, f"trial {record.number}: {detail_title(detail)}"
