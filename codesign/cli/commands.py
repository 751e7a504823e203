"""Handlers of the CLI subcommands (``cmd_<name>``); they print and return an exit status."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from codesign.cli.render_text import first_paragraph
from codesign.errors import CodesignError, ConfigError


def _print_json(data: Any) -> None:
    from codesign.cli.json_out import dumps

    sys.stdout.write(dumps(data) + "\n")  # one write: thousands of layer rows make megabytes


def _front(run_dir: Any, experiment: Any = None) -> tuple[Any, Any]:
    """The run's experiment (built unless given) and its Pareto front."""
    from codesign.report.front import compute_front
    from codesign.search.experiment import Experiment

    experiment = experiment or Experiment.build(run_dir.config())
    return experiment, compute_front(run_dir.trials(), experiment.objectives)


def _show_front(experiment: Any, front: Any, title: str) -> None:
    from codesign.cli.render import console, front_table

    console.print(front_table(front, experiment.subspaces, title, experiment.metrics))


def cmd_run(args: argparse.Namespace) -> int:
    from codesign import api
    from codesign.cli.render import console

    if bool(args.config) == bool(args.resume):
        raise CodesignError("give an experiment file, or --resume RUN_DIR (not both)")
    if args.resume:
        summary = api.resume(args.resume, quiet=args.quiet, ray_address=args.ray_address, storage=args.storage)
    else:
        summary = api.run(args.config, out=args.out, quiet=args.quiet, ray_address=args.ray_address,
                          storage=args.storage)
    from codesign.storage.run_dir import RunDir

    run_dir = RunDir.open(summary.run_dir)
    if summary.interrupted:  # what stopped it, and how to go on: one line whatever --quiet says
        print(f"codesign: interrupted: {summary.detail or 'stopped'}; continue with "
              f"`codesign run --resume {run_dir.path}`", file=sys.stderr)
    experiment, front = _front(run_dir, summary.experiment)  # front.json: written by api.run/resume
    if args.quiet:
        return 130 if summary.interrupted else 0
    budget = summary.budget_trials if summary.budget_trials is not None else "-"
    _show_front(experiment, front, f"Pareto front: {len(front.trials)} of {front.n_feasible} feasible trials")
    console.print(f"{summary.new_trials} trials in {summary.seconds:.1f} s ({summary.rate_per_s:.2f} trials/s), "
                  f"{summary.finished}/{budget} done, {summary.failed} failed, {summary.infeasible} infeasible"
                  + (f", {summary.requeued} interrupted trials re-queued" if summary.requeued else ""))
    console.print(f"outputs in [bold]{run_dir.path}[/bold]: config.yaml, study.journal (Optuna), front.json")
    console.print(f"next:  codesign front {run_dir.path}   |   codesign export {run_dir.path} --trial N --out DIR")
    return 130 if summary.interrupted else 0


def cmd_front(args: argparse.Namespace) -> int:
    from codesign.report.front import front_rows
    from codesign.storage.run_dir import RunDir

    run_dir = RunDir.open(args.run_dir)
    experiment, front = _front(run_dir)
    if args.json:
        _print_json(front_rows(front))
        return 0
    _show_front(experiment, front, f"Pareto front of {run_dir.path}: {len(front.trials)} of {front.n_feasible} "
                                   f"feasible trials ({front.n_failed} failed)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from codesign.cli.report_cmd import status_lines, watch_status
    from codesign.report.status import run_status
    from codesign.storage.run_dir import RunDir

    run_dir = RunDir.open(args.run_dir)
    if getattr(args, "watch", False):
        return watch_status(run_dir)
    status = run_status(run_dir)
    if args.json:
        _print_json(status)
    else:
        print("\n".join(status_lines(status)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from codesign.report.export import export_trial
    from codesign.storage.run_dir import RunDir

    run_dir = RunDir.open(args.run_dir)
    metrics = export_trial(run_dir, args.trial, args.out, onnx=not args.no_onnx)
    files = sorted(p.name for p in Path(args.out).iterdir())
    print(f"exported trial {args.trial} to {args.out}: {', '.join(files)}")
    print(f"latency {metrics.get('latency_s')} s, energy {metrics.get('energy_j')} J, area {metrics.get('area_mm2')} mm2")
    print(f"re-score with:  codesign evaluate {args.out}")
    return 0


def _parse_kv(items: list[str] | None, where: str) -> dict[str, Any]:
    from codesign.hardware.presets import parse_overrides

    return parse_overrides(items, where)


def _show_design(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _print_json(result)
        return
    from codesign.cli.render import console, design_summary, layers_table

    console.print(design_summary(result))
    if result.get("layers"):
        console.print(layers_table(result["layers"]))


def cmd_evaluate(args: argparse.Namespace) -> int:
    from codesign.report.export import differences, evaluate_bundle, outcome_json

    if args.bundle:
        if args.space or args.arch or args.arch_file or args.accelerator or args.workload:
            raise CodesignError("a bundle directory is re-scored as exported; drop --space/--arch/--accelerator")
        outcome, candidate, pipeline, stored = evaluate_bundle(args.bundle)
        result = outcome_json(outcome, candidate, pipeline, with_layers=not args.no_layers)
        differ = differences(outcome, stored)
        if not args.json:
            print(f"re-scored {args.bundle}: metrics {'DIFFER FROM' if differ else 'match'} metrics.json")
        _show_design(result, args.json)
        if differ:
            # Exit 1, not 2: the bundle is valid, the cost model or code scored it differently.
            print(f"codesign: re-scored metrics differ from {args.bundle}/metrics.json in "
                  f"{', '.join(differ)} (was it written by another version of the cost model?)", file=sys.stderr)
        return 1 if differ else 0
    if not args.accelerator:
        raise ConfigError("--accelerator", "required (a preset name or an accelerator YAML file)")
    overrides = _parse_kv(args.set, "--set")
    if args.workload:
        return _evaluate_workload(args, overrides)
    if not args.space:
        raise ConfigError("--space", "required with --arch/--arch-file (see `codesign spaces`)")
    if bool(args.arch) == bool(args.arch_file):
        raise ConfigError("--arch", "give --arch KEY or --arch-file FILE")
    from codesign.hardware.presets import load_accelerator
    from codesign.search.candidate import Candidate
    from codesign.search.design import model_pipeline

    hardware = load_accelerator(args.accelerator, overrides, where="--accelerator")
    pipeline = model_pipeline(args.space, space_options=_parse_kv(args.space_option, "--space-option"),
                              template=hardware.template, proxy=args.proxy, cost_model=args.cost_model,
                              goal=args.goal, batch=args.batch)
    space = pipeline.subspaces["arch"].space
    if args.arch:
        candidate = Candidate({"arch": space.parse(args.arch), "hw": hardware})
        _show_design(outcome_json(pipeline.evaluate(candidate), candidate, pipeline, not args.no_layers), args.json)
        return 0
    from codesign.cli.arch_file import read_arch_keys

    candidates = []
    parsed: dict[str, Any] = {}  # a key repeated in the file is parsed once
    # Every key is parsed before any is scored, so a typo on the last line costs no evaluation.
    for line_no, key in read_arch_keys(args.arch_file):
        try:
            arch = parsed[key] if key in parsed else parsed.setdefault(key, space.parse(key))
        except ConfigError as exc:
            raise ConfigError(f"{args.arch_file}:{line_no}", exc.message) from None
        candidates.append(Candidate({"arch": arch, "hw": hardware}))
    for candidate in candidates:
        _print_json(outcome_json(pipeline.evaluate(candidate), candidate, pipeline, not args.no_layers))
        sys.stdout.flush()  # one line per design as it is scored: a long file shows progress
    return 0


def _evaluate_workload(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from codesign.costmodel.base import cost_model_for
    from codesign.hardware.presets import load_accelerator
    from codesign.report.export import _clean
    from codesign.workload import load_workload

    if args.space or args.arch or args.arch_file:
        raise CodesignError("--workload replaces --space/--arch; give one or the other")
    workload = load_workload(args.workload)
    hardware = load_accelerator(args.accelerator, overrides, where="--accelerator")
    cost = cost_model_for(hardware, args.cost_model, args.goal).evaluate(workload, hardware)
    result = _clean({"workload": workload.name, "accelerator": hardware.to_dict(), **cost.metrics(),
                     "params": workload.params})
    if not args.no_layers:
        # Built and cleaned column by column, not through the recursive clean (thousands of layers).
        result["layers"] = cost.layer_rows(nan_as_none=True)
    result.setdefault("space", "workload")
    result.setdefault("arch", workload.name)
    _show_design(result, args.json)
    return 0


def cmd_accelerators(args: argparse.Namespace) -> int:
    from codesign.hardware.config import TEMPLATES
    from codesign.hardware.presets import presets

    templates = []
    for name, cls in TEMPLATES:
        templates.append({
            "name": name, "doc": first_paragraph(cls),
            "cost_model": cls.default_cost_model,
            "parameters": [{"name": p.name, "type": p.type, "default": p.default, "unit": p.unit, "doc": p.doc,
                            "choices": list(p.choices) if p.choices else None} for p in cls.parameters()],
            "default_search": cls.default_search,
        })
    preset_list = [{"name": p.name, "template": p.template, "description": p.description, "params": p.params,
                    "sources": list(p.sources)} for p in presets().values()]
    if args.json:
        _print_json({"templates": templates, "presets": preset_list})
        return 0
    for t in templates:
        print(f"template {t['name']}: {t['doc']} (cost model: {t['cost_model']})")
        for p in t["parameters"]:
            choices = f" {{{', '.join(map(str, p['choices']))}}}" if p["choices"] else ""
            unit = f" [{p['unit']}]" if p["unit"] else ""
            print(f"    {p['name']:>16} = {p['default']!s:<8}{unit}{choices}  {p['doc']}")
    print("presets:")
    for p in preset_list:
        print(f"    {p['name']:>16} ({p['template']}): {p['description']}")
    return 0
