"""``codesign split`` (one row per cut of a design across device, MEC and cloud) and
``codesign links`` (the link presets with their sources)."""
from __future__ import annotations

import argparse
import json
import math
from typing import Any

from codesign.errors import ConfigError

#: How the CLI names the fields of a split setup in its errors.
CLI_NAMES = {"radio": "--link", "backhaul": "--backhaul", "mec": "--mec", "cloud": "--cloud",
             "period_ms": "--period-ms"}


def add_parsers(sub: Any) -> None:
    from codesign.cli.main import bounded_float, bounded_int
    from codesign.config.schema import MAX_BATCH

    p = sub.add_parser("split", help="every cut of one design across device, MEC and cloud (one row per cut)")
    p.add_argument("--space", help="search space name (see `codesign spaces`)")
    p.add_argument("--space-option", action="append", metavar="KEY=VALUE", help="space option")
    p.add_argument("--arch", help="architecture key of the space")
    p.add_argument("--workload", help="layers YAML or ONNX model, instead of --space/--arch")
    p.add_argument("--accelerator", required=True, help="the device NPU: preset name or accelerator YAML file")
    p.add_argument("--set", action="append", metavar="PARAM=VALUE", help="override a device NPU parameter")
    p.add_argument("--mec", help="MEC server tier: preset name (e.g. nvdla_large) or accelerator YAML")
    p.add_argument("--cloud", help="cloud tier: preset name (e.g. tpu_v1) or accelerator YAML")
    p.add_argument("--link", help="radio link device -> MEC site (see `codesign links`)")
    p.add_argument("--link-set", action="append", metavar="KEY=VALUE",
                   help="override a radio link value (uplink_mbps, downlink_mbps, latency_ms)")
    p.add_argument("--backhaul", help="link MEC site -> cloud (see `codesign links`)")
    p.add_argument("--bits", type=int, default=8, help="bit width of the transmitted activations (default 8)")
    p.add_argument("--period-ms", type=bounded_float(0, 1e9), help="time between inferences (cuts the radio tail short); "
                                                   "default: one isolated inference")
    p.add_argument("--budget-ms", type=bounded_float(0, 1e9), help="latency budget: adds the uplink rate each cut needs")
    p.add_argument("--cut", type=bounded_int(-1, 10**6), help="show only this device cut (-1 = full offload)")
    p.add_argument("--batch", type=bounded_int(1, MAX_BATCH), default=1, help="inference batch size (default 1)")
    p.add_argument("--cost-model", help="cost model (default: each template's)")
    p.add_argument("--goal", default="edp", choices=("latency", "energy", "edp"), help="mapping goal")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("links", help="list the link presets with their sources")
    p.add_argument("--json", action="store_true")


def _setup(args: argparse.Namespace) -> Any:
    from codesign.hardware.presets import load_accelerator, parse_overrides
    from codesign.split.link import link_from_dict
    from codesign.split.tiers import SplitSetup

    tiers = {}
    for name in ("mec", "cloud"):
        spec = getattr(args, name)
        if spec is not None:
            try:
                tiers[name] = load_accelerator(spec)
            except ConfigError as exc:
                raise ConfigError(f"--{name}", exc.message) from None
    overrides = parse_overrides(args.link_set, "--link-set")
    if overrides and not args.link:
        raise ConfigError("--link-set", "needs --link PRESET to override")
    radio = link_from_dict({"preset": args.link, **overrides} if overrides else args.link, "--link") if args.link else None
    backhaul = link_from_dict(args.backhaul, "--backhaul", wired=True) if args.backhaul else None
    period = None if args.period_ms is None else args.period_ms * 1e-3
    return SplitSetup.checked(names=CLI_NAMES, radio=radio, backhaul=backhaul, period_s=period, **tiers)


def _workload(args: argparse.Namespace) -> Any:
    from codesign.hardware.presets import parse_overrides

    if args.workload:
        if args.space or args.arch:
            raise ConfigError("--workload", "replaces --space/--arch; give one or the other")
        from codesign.workload import load_workload

        return load_workload(args.workload)
    if not args.space:
        raise ConfigError("--space", "required (or --workload)")
    if not args.arch:
        raise ConfigError("--arch", "required with --space")
    from codesign.spaces.base import create_space

    space = create_space(args.space, parse_overrides(args.space_option, "--space-option"))
    return space.workload(space.parse(args.arch), batch=args.batch)


def cmd_split(args: argparse.Namespace) -> int:
    from codesign.hardware.presets import load_accelerator, parse_overrides
    from codesign.split.analysis import analyse_design, check_bits, check_cut
    from codesign.split.table import best_rows, cut_rows

    bits = check_bits(args.bits, "--bits")
    setup = _setup(args)
    if args.budget_ms is not None and args.budget_ms <= 0:
        raise ConfigError("--budget-ms", f"must be > 0, got {args.budget_ms!r}")
    device = load_accelerator(args.accelerator, parse_overrides(args.set, "--set"))
    workload = _workload(args)
    if args.cut is not None:
        check_cut(args.cut, workload, "--cut")
        if args.cut < len(workload.layers) - 1 and not setup.remote:
            raise ConfigError("--mec", f"cut {args.cut} sends layers off the device: give --mec or --cloud "
                                       "and --link")
    budget = None if args.budget_ms is None else args.budget_ms * 1e-3
    analysis = analyse_design(workload, device, setup, bits, args.cost_model, args.goal)
    rows = cut_rows(analysis, budget)
    if args.cut is not None:
        rows = [r for r in rows if r["cut"] == args.cut]
    best = best_rows(analysis, budget)
    reasons = {name: list(p.reasons) for name, p in analysis.profiles.items() if p.reasons}
    result = {"workload": workload.name, "layers": len(workload.layers), "bits": bits,
              "device": device.to_dict(), "setup": setup.to_dict(), "rows": rows,
              "best": {goal: (None if r is None else {"cut": r["cut"], **({"cut2": r["cut2"]} if "cut2" in r else {})})
                       for goal, r in best.items()},
              "infeasible_reasons": reasons}
    if args.json:
        print(json.dumps(_finite(result), default=str, allow_nan=False))
        return 0
    _print_table(result, best)
    return 0


def _finite(data: Any) -> Any:
    """``data`` with non-finite numbers as ``None`` (strict JSON: an unreachable budget's rate is
    infinite, an infeasible cut's latency NaN)."""
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def _print_table(result: dict[str, Any], best: dict[str, Any]) -> None:
    from rich.table import Table

    from codesign.cli.render import console

    columns = [("cut", "cut", ""), ("cut_layer", "layer", ""), ("tensors", "tensors", ""),
               ("uplink_bytes", "uplink kB", 1e-3), ("device_latency_s", "device ms", 1e3),
               ("transfer_latency_s", "transfer ms", 1e3), ("remote_latency_s", "remote ms", 1e3),
               ("latency_s", "latency ms", 1e3), ("device_energy_j", "device mJ", 1e3)]
    rows = result["rows"]
    if rows and "cut2" in rows[0]:
        columns.insert(3, ("cut2_layer", "MEC|cloud cut", ""))
    if rows and "required_uplink_bps" in rows[0]:
        columns.append(("required_uplink_bps", "needs Mbit/s", 1e-6))
    marks = {goal: (r["cut"], r.get("cut2")) if r else None for goal, r in best.items()}
    table = Table(title=f"{result['workload']}: {result['layers']} layers, activations sent at {result['bits']} bit",
                  title_justify="left")
    for _, header, _ in columns:
        table.add_column(header, justify="left" if header in ("layer", "MEC|cloud cut") else "right")
    table.add_column("best")
    for r in rows:
        cells = []
        for key, _, scale in columns:
            value = r.get(key)
            if isinstance(scale, float):
                cells.append("-" if value is None or value != value else f"{value * scale:.4g}")
            else:
                cells.append(str(value))
        tags = [goal for goal, mark in marks.items() if mark == (r["cut"], r.get("cut2"))]
        table.add_row(*cells, ", ".join(tags))
    console.print(table)
    for goal, r in best.items():
        if r is None:
            console.print(f"best for {goal}: no feasible cut")
        else:
            console.print(f"best for {goal}: cut {r['cut']} ({r['cut_layer']})"
                          + (f", MEC|cloud cut {r['cut2']} ({r['cut2_layer']})" if "cut2" in r else "")
                          + f": latency {r['latency_s'] * 1e3:.4g} ms, device energy {r['device_energy_j'] * 1e3:.4g} mJ,"
                          f" uplink {r['uplink_bytes'] / 1e3:.4g} kB")
    for tier, reasons in result["infeasible_reasons"].items():
        console.print(f"[yellow]{tier} cannot run every layer[/yellow]: {'; '.join(reasons)}")


def cmd_links(args: argparse.Namespace) -> int:
    from codesign.hardware.presets import presets
    from codesign.split.link_presets import LINK_PRESETS

    links = [{"name": name, "description": link.description, **link.to_dict(), "sources": list(link.sources),
              "assumptions": list(link.assumptions)} for name, link in LINK_PRESETS.items()]
    servers = [{"name": p.name, "tier": p.tier, "description": p.description} for p in presets().values()
               if p.tier != "device"]
    if args.json:
        print(json.dumps({"links": links, "server_tiers": servers}, allow_nan=False))
        return 0
    for link in links:
        power = link.get("power")
        radio = (f"P = {power['base_mw']:g} mW + {power['alpha_up_mw_per_mbps']:g} mW/Mbit/s x up"
                 f" | + {power['alpha_down_mw_per_mbps']:g} mW/Mbit/s x down, tail {power['tail_mw']:g} mW"
                 f" for {power['tail_ms']:g} ms") if power else "wired (no device radio energy)"
        print(f"{link['name']}: {link['description']}")
        print(f"    up {link['uplink_mbps']:g} Mbit/s, down {link['downlink_mbps']:g} Mbit/s, "
              f"one-way {link['latency_ms']:.3g} ms; {radio}")
        for source in link["sources"]:
            print(f"    source: {source}")
        for assumption in link["assumptions"]:
            print(f"    ASSUMPTION: {assumption}")
    print("server tiers (accelerator presets):")
    for server in servers:
        print(f"    {server['name']} ({server['tier']}): {server['description']}")
    return 0
