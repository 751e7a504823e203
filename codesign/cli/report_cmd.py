"""``codesign report``, ``codesign plot``, ``codesign dashboard`` and ``codesign status --watch``."""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from codesign.errors import ConfigError

#: Seconds between refreshes of ``status --watch``.
WATCH_INTERVAL_S = 2.0


def add_parsers(sub: Any) -> None:
    from codesign.cli.main import bounded_int

    """Register the subcommands on ``sub`` (the main parser's subparsers)."""
    from codesign.report.options import DETAIL_LIMIT, IMPORTANCE_EVALUATORS, PLOT_KINDS

    p = sub.add_parser("report", help="write a self-contained HTML report of a run (or of an export bundle)")
    p.add_argument("path", metavar="RUN_DIR|BUNDLE_DIR")
    p.add_argument("--out", help="HTML file (default: RUN_DIR/report.html, BUNDLE_DIR/design.html)")
    p.add_argument("--detail", default=str(DETAIL_LIMIT), metavar="N|all",
                   help=f"front designs with per-layer detail, spread along the front (default {DETAIL_LIMIT})")
    p.add_argument("--importance", default="ped_anova", choices=IMPORTANCE_EVALUATORS,
                   help="Optuna importance evaluator (default ped_anova: fast; fanova: Optuna's default, slower)")

    p = sub.add_parser("plot", help="a static figure (PNG/SVG) of a run: front, hypervolume, layers, roofline")
    p.add_argument("path", metavar="RUN_DIR|BUNDLE_DIR")
    p.add_argument("--kind", required=True, choices=PLOT_KINDS)
    p.add_argument("--trial", type=bounded_int(0, 2**63 - 1), help="trial for layers/roofline (default: the front's first)")
    p.add_argument("--objectives", help="two objectives for --kind front, e.g. latency,energy")
    p.add_argument("--out", required=True, help="output file, .png or .svg")

    p = sub.add_parser("dashboard", help="serve optuna-dashboard on a run's study")
    p.add_argument("run_dir")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=bounded_int(1, 65535), default=8080)
    p.add_argument("--allow-writes", action="store_true", help="let the dashboard write notes into the study")


def _is_bundle(path: str) -> bool:
    from codesign.report.export import MANIFEST

    return (Path(path) / MANIFEST).is_file()


def _detail_limit(text: str) -> int:
    if text == "all":
        return 1 << 30
    try:
        value = int(text)
    except ValueError:
        raise ConfigError("--detail", f"expected a number or 'all', got {text!r}") from None
    if value < 0:
        raise ConfigError("--detail", f"must be >= 0, got {value}")
    return value


def cmd_report(args: argparse.Namespace) -> int:
    from codesign.report.collect import bundle_payload, run_payload
    from codesign.report.html import write_html
    from codesign.report.trials import load_run

    if _is_bundle(args.path):
        out = write_html(bundle_payload(args.path), args.out or Path(args.path) / "design.html")
        print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): the design of bundle {args.path}")
        return 0
    limit = _detail_limit(args.detail)
    view = load_run(args.path)
    payload = run_payload(view, detail_limit=limit, importance=args.importance)
    out = write_html(payload, args.out or view.run_dir.path / "report.html")
    state = payload["status"]["state"]
    note = " (the run is still in progress: this is a snapshot)" if payload["in_progress"] else f" (run {state})"
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(view.records)} trials, front of "
          f"{len(payload['front'])}, detail for {len(payload['details'])}){note}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from codesign.report.plots import check_out, detail_title, plot_detail, plot_run
    from codesign.report.trials import load_run

    check_out(args.out)
    if _is_bundle(args.path):
        from codesign.report.collect import bundle_payload

        if args.trial is not None:
            raise ConfigError("--trial", "a bundle holds one design; drop --trial")
        payload = bundle_payload(args.path)
        if "bundle" not in payload["details"]:
            raise ConfigError("--kind", payload["detail_note"])
        detail = payload["details"]["bundle"]
        out = plot_detail(detail, args.kind, f"{args.path}: {detail_title(detail)}", args.out)
    else:
        names = [n.strip() for n in args.objectives.split(",") if n.strip()] if args.objectives else None
        view = load_run(args.path)
        if names:
            for name in names:
                view.objective(name)
        if args.trial is not None:
            view.record(args.trial)
        out = plot_run(view, args.kind, args.out, trial=args.trial, objectives=names)
    print(f"wrote {out}")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from codesign.report.dashboard import serve
    from codesign.storage.run_dir import RunDir

    run_dir = RunDir.open(args.run_dir)
    print(f"optuna-dashboard on http://{args.host}:{args.port}/ (study of {run_dir.path}"
          f"{'' if args.allow_writes else ', read-only'}); Ctrl-C stops it", flush=True)
    serve(run_dir, args.host, args.port, allow_writes=args.allow_writes)
    return 0


def status_lines(status: dict[str, Any]) -> list[str]:
    """``codesign status`` as aligned ``key: value`` lines (durations readable)."""
    from codesign.report.status import format_duration

    lines = []
    for key, value in status.items():
        if key == "time_left_s":
            value = format_duration(value) if value is not None else None
        lines.append(f"{key:>14}: {'-' if value is None else value}")
    return lines


def watch_status(run_dir: Any, interval_s: float = WATCH_INTERVAL_S, max_updates: int | None = None,
                 sleep: Any = time.sleep, out: Any = print) -> int:
    """Print the status every ``interval_s`` until the run is no longer running (``max_updates``
    caps the refreshes; ``sleep`` and ``out`` are injectable for tests)."""
    from codesign.report.status import run_status

    updates = 0
    while True:
        status = run_status(run_dir)
        updates += 1
        out("\n".join([time.strftime("%H:%M:%S"), *status_lines(status), ""]))
        if status["state"] != "running" or (max_updates is not None and updates >= max_updates):
            return 0
        sleep(interval_s)
