"""``codesign`` command line: parse arguments, dispatch, turn user errors into one line + exit 2."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from codesign.errors import CodesignError

EXIT_USAGE = 2
#: Commands whose handler lives outside ``codesign.cli.commands``.
HANDLER_MODULES = {
    "proxy": "codesign.cli.proxy_cmd",
    "spaces": "codesign.cli.spaces_cmd",
    "split": "codesign.cli.split_cmd",
    "links": "codesign.cli.split_cmd",
    "report": "codesign.cli.report_cmd",
    "plot": "codesign.cli.report_cmd",
    "dashboard": "codesign.cli.report_cmd",
}


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (``usage:`` blocks are for ``--help``)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"codesign: error: {message} (see `{self.prog} --help`)\n")


def bounded_int(low: int, high: int) -> type:
    """An argparse ``type``: an integer in ``low..high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in {low}..{high}, got {text}")
        return value

    parse.__name__ = "integer"
    return parse  # type: ignore[return-value]


def bounded_float(low: float, high: float) -> type:
    """An argparse ``type``: a finite number in ``(low, high]`` (``low`` excluded: rates, times)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not low < value <= high:  # also refuses NaN
            raise argparse.ArgumentTypeError(f"must be in ({low:g}, {high:g}], got {text}")
        return value

    parse.__name__ = "number"
    return parse  # type: ignore[return-value]


def _parser() -> argparse.ArgumentParser:
    from codesign import __version__
    from codesign.config.schema import MAX_BATCH

    parser = _Parser(prog="codesign", description="Hardware-model co-design search.")
    parser.add_argument("--version", action="version", version=f"codesign {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a joint search from an experiment file, or resume one")
    p.add_argument("config", nargs="?", help="experiment YAML file")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted or finished run to its budget")
    p.add_argument("--out", help="run directory (default: the config's output, else runs/NAME-TIMESTAMP)")
    p.add_argument("--ray-address", help="join the Ray cluster at this address (executor: ray)")
    p.add_argument("--storage", metavar="URL", help="keep the study in this database (e.g. sqlite:///study.db) "
                                                    "instead of the run directory's journal file")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no front table")

    p = sub.add_parser("front", help="show the Pareto-optimal trials of a run")
    p.add_argument("run_dir")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = sub.add_parser("status", help="trials done, failed and running, budget, front size, hypervolume, time left")
    p.add_argument("run_dir")
    p.add_argument("--json", action="store_true")
    p.add_argument("--watch", action="store_true", help="refresh every 2 s until the run stops")

    p = sub.add_parser("export", help="write one trial's design as a bundle")
    p.add_argument("run_dir")
    p.add_argument("--trial", type=bounded_int(0, 2**63 - 1), required=True, help="trial number (see `codesign front`)")
    p.add_argument("--out", required=True, help="bundle directory")
    p.add_argument("--no-onnx", action="store_true", help="skip model.onnx")

    p = sub.add_parser("evaluate", help="score one design (or re-score an export bundle)")
    p.add_argument("bundle", nargs="?", help="export bundle directory to re-score")
    p.add_argument("--space", help="search space name (see `codesign spaces`)")
    p.add_argument("--space-option", action="append", metavar="KEY=VALUE", help="space option")
    p.add_argument("--arch", help="architecture key of the space")
    p.add_argument("--arch-file", help="file with one architecture key per line (prints JSON lines)")
    p.add_argument("--workload", help="layers YAML in loop-nest notation (docs/workload.md) or an ONNX model, instead of --space/--arch")
    p.add_argument("--accelerator", help="preset name or accelerator YAML file")
    p.add_argument("--set", action="append", metavar="PARAM=VALUE", help="override an accelerator parameter")
    p.add_argument("--proxy", help="also compute this accuracy proxy")
    p.add_argument("--batch", type=bounded_int(1, MAX_BATCH), default=1, help="inference batch size (default 1)")
    p.add_argument("--cost-model", help="cost model (default: the template's)")
    p.add_argument("--goal", default="edp", choices=("latency", "energy", "edp"), help="mapping goal")
    p.add_argument("--no-layers", action="store_true", help="omit the per-layer list")
    p.add_argument("--json", action="store_true", help="print JSON")

    from codesign.cli import proxy_cmd, report_cmd

    proxy_cmd.add_parser(sub)
    from codesign.cli import split_cmd

    split_cmd.add_parsers(sub)
    report_cmd.add_parsers(sub)

    p = sub.add_parser("spaces", help="list search spaces and their dimensions")
    p.add_argument("name", nargs="?", help="one space, created with --space-option values")
    p.add_argument("--space-option", action="append", metavar="KEY=VALUE", help="space option (with NAME)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("accelerators", help="list accelerator templates, their parameters and presets")
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``codesign`` console script."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    args = _parser().parse_args(argv)
    import importlib

    module = importlib.import_module(HANDLER_MODULES.get(args.command, "codesign.cli.commands"))
    handler = getattr(module, f"cmd_{args.command}")
    try:
        return int(handler(args) or 0)
    except CodesignError as exc:
        print(f"codesign: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a full disk, a read-only or vanished directory: what failed, on one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"codesign: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("codesign: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
