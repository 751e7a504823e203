"""The bad-input corpus, generated from the schemas rather than written case by case.

Sources walked:
- the pydantic models of the experiment file (``codesign/config/schema.py``) and of the space's
  options (``search_spaces/mbconv.py``), field by field, with their types and constraints;
- every accelerator template's parameter declarations (``param(...)``: type, minimum, choices),
  in an experiment (fixed and searched), in an accelerator/preset YAML file and in ``--set``;
- the preset YAML format (``PRESET_KEYS``) and the layer YAML (``Layer`` dataclass fields);
- every registered plugin's ``Options`` model (spaces, proxies, stages, sub-spaces: validated by
  ``codesign/options.py``), the synthetic stage's and the proxies' options in an experiment, an
  unknown option of every strategy, the ``stages:`` and ``subspaces:`` lists;
- the argparse definitions of every CLI command (typed, required and choice options), and every
  argument that names a file or directory (by its ``dest``, table ``FILE_ARGS``).

For each, the faults that apply: missing, wrong type, out of range, unknown key, NaN, inf and
huge numbers; for files: absent, empty, a directory, non-UTF-8 bytes, invalid YAML, an alias bomb.
A ``Case`` is an argv (``{d}`` stands for the case's directory), the files to write first, and
the text the one error line must contain (the dotted field path).
"""
from __future__ import annotations

import copy
import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import BaseModel

from codesign.config.schema import ExperimentConfig
from codesign.hardware.config import TEMPLATES
from codesign.hardware.presets import PRESET_KEYS
from codesign.workload.layer import Layer
from tests.search.helpers import synthetic_config

HUGE_INT = 10**400
#: A YAML "billion laughs": nine levels of nine aliases (387 million nodes once expanded).
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
NOT_UTF8 = b"name: caf\xe9\n\xff\xfe\n"
#: YAML that does not parse.
NOT_YAML = "name: [unclosed\n  - : :\n"
#: Bad contents of any file argument: (label, bytes or text, what the message must say).
FILE_FAULTS: tuple[tuple[str, bytes | str, str], ...] = (
    ("empty", "", ""), ("non-utf8", NOT_UTF8, "not UTF-8"), ("not-yaml", NOT_YAML, ""),
    ("alias-bomb", ALIAS_BOMB, "alias"), ("scalar", "42\n", ""), ("list", "- 1\n- 2\n", ""),
)


@dataclass(frozen=True)
class Case:
    """One bad input: ``argv`` (``{d}`` = the case directory), ``files`` to write there first
    (``None`` content: make a directory), and the text the error line must contain."""

    id: str
    argv: tuple[str, ...]
    needle: str
    files: dict[str, bytes | str | None] = field(default_factory=dict)
    #: Preset files to serve instead of the package's (``codesign accelerators``).
    presets: dict[str, str] | None = None


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# -- values by type --------------------------------------------------------------------------------
def _base_type(annotation: Any) -> Any:
    """``int`` of ``int | None``, ``Optional[int]``; other annotations unchanged."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _wrong_type(kind: Any) -> Any:
    """A value of another type than ``kind``."""
    origin = typing.get_origin(kind)
    if kind in (int, float):
        return "lots"
    if kind is bool:
        return "perhaps"
    if kind is str or origin is Literal:
        return [1, 2]
    if origin in (dict, typing.Dict) or (isinstance(kind, type) and issubclass(kind, BaseModel)):  # noqa: UP006
        return [1, 2]
    if origin in (list, tuple):
        return {"not": "a list"}
    return None


def _out_of_range(metadata: list[Any], kind: Any) -> list[tuple[str, Any]]:
    """Values just outside the field's declared bounds."""
    out = []
    step = 1 if kind is int else 0.5
    for m in metadata:
        if isinstance(m, Ge):
            out.append(("below-ge", m.ge - step))
        elif isinstance(m, Gt):
            out.append(("at-gt", m.gt))
        elif isinstance(m, Le):
            out.append(("above-le", m.le + step))
        elif isinstance(m, Lt):
            out.append(("at-lt", m.lt))
        elif isinstance(m, MinLen):
            out.append(("too-short", ""))
    return out


def _numeric_extremes(kind: Any) -> list[tuple[str, Any]]:
    if kind is int:
        return [("huge", HUGE_INT), ("inf", math.inf), ("nan", math.nan)]
    if kind is float:
        return [("huge", HUGE_INT), ("inf", math.inf), ("nan", math.nan)]
    return []


def model_field_faults(model: type[BaseModel], prefix: str) -> list[tuple[str, tuple[str, ...], Any]]:
    """``(label, path, value)`` for every field of ``model`` (recursively through sub-models):
    wrong type, out of range, NaN/inf/huge; an unknown key per model; a missing required field
    (value ``...``)."""
    out: list[tuple[str, tuple[str, ...], Any]] = [("unknown-key", (*_split(prefix), "no_such_key"), 1)]
    for name, info in model.model_fields.items():
        path = (*_split(prefix), name)
        kind = _base_type(info.annotation)
        if info.is_required():
            out.append(("missing", path, ...))
        wrong = _wrong_type(kind)
        if wrong is not None:
            out.append(("wrong-type", path, wrong))
        out += [(label, path, v) for label, v in _out_of_range(info.metadata, kind)]
        out += [(label, path, v) for label, v in _numeric_extremes(kind)]
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out += model_field_faults(kind, ".".join(path))
    return out


def _split(prefix: str) -> tuple[str, ...]:
    return tuple(p for p in prefix.split(".") if p)


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            return data
    if value is ...:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return data


# -- the experiment file ---------------------------------------------------------------------------
def base_experiment() -> dict[str, Any]:
    """A valid experiment (tiny space, synthetic scores) that the faults are applied to."""
    config = synthetic_config(budget={"trials": 2})
    config["proxy"] = {"name": "naswot", "batch_size": 8}
    return config


#: Registry names in the experiment: a name nobody registered must be refused, naming the field.
REGISTRY_FIELDS = ("space.name", "proxy.name", "strategy.name", "evaluator.name", "executor.name",
                   "accelerator.template", "accelerator.preset", "accelerator.cost_model")


def _run_case(case_id: str, data: dict[str, Any] | str | bytes, needle: str) -> Case:
    text = data if isinstance(data, (str, bytes)) else _dump(data)
    return Case(case_id, ("run", "{d}/exp.yaml", "--out", "{d}/run", "--quiet"), needle, {"exp.yaml": text})


def experiment_cases() -> list[Case]:
    """Every field of ``ExperimentConfig``, the space's options and the templates' parameters."""
    base = base_experiment()
    cases = []
    for label, path, value in model_field_faults(ExperimentConfig, ""):
        dotted = ".".join(path)
        data = _set_path(base, path, value)
        if path[0] == "accelerator" and path[-1] == "preset" and value is not ...:
            data["accelerator"].pop("template", None)
            data["accelerator"].pop("search", None)
        cases.append(_run_case(f"experiment:{dotted}:{label}", data, dotted))
    for dotted in REGISTRY_FIELDS:
        path = tuple(dotted.split("."))
        data = _set_path(base, path, "no_such_name")
        if dotted == "accelerator.preset":
            data["accelerator"] = {"preset": "no_such_name"}
        cases.append(_run_case(f"experiment:{dotted}:unknown-name", data, dotted))
    space_options = type(_space_options_model())
    for label, path, value in model_field_faults(space_options, "space.options"):
        data = _set_path(base, path, value)
        cases.append(_run_case(f"experiment:{'.'.join(path)}:{label}", data, ".".join(path)))
    cases += _objective_cases(base)
    cases += _template_param_cases(base)
    return cases


def _space_options_model() -> BaseModel:
    from codesign.spaces import create_space

    return create_space("mbconv", base_experiment()["space"]["options"]).options


def _objective_cases(base: dict[str, Any]) -> list[Case]:
    cases = [
        _run_case("experiment:objectives.no_such_metric", _set_path(base, ("objectives", "colour"), "minimize"),
                  "objectives"),
        _run_case("experiment:objectives.latency:direction", _set_path(base, ("objectives", "latency"), "sideways"),
                  "objectives.latency"),
        _run_case("experiment:objectives:empty", _set_path(base, ("objectives",), {}), "objectives"),
        _run_case("experiment:constraints.no_such_metric", _set_path(base, ("constraints", "colour"), "<= 1"),
                  "constraints.colour"),
    ]
    for label, raw in (("no-value", "<= lots mm2"), ("no-op", "1 mm2"), ("nan", "<= nan mm2"),
                       ("inf", "<= inf mm2"), ("wrong-unit", "<= 1 parsec"), ("wrong-type", [1])):
        cases.append(_run_case(f"experiment:constraints.area:{label}", _set_path(base, ("constraints", "area"), raw),
                               "constraints.area"))
    return cases


# -- accelerator templates -------------------------------------------------------------------------
def param_faults(template: str) -> list[tuple[str, str, Any, bool]]:
    """``(label, parameter, value, range_fault)`` for every declared parameter of ``template``:
    wrong type, NaN/inf/huge, below the minimum, outside the choices, and an unknown name.
    ``range_fault``: the value has the right type (only a search or a fixed config refuses it;
    ``--set`` scores it as an infeasible design)."""
    cls = TEMPLATES.get(template)
    out: list[tuple[str, str, Any, bool]] = [("unknown-param", "no_such_param", 1, False)]
    for p in cls.parameters():
        kind = {"int": int, "float": float, "str": str, "bool": bool}.get(p.type, object)
        out.append(("wrong-type", p.name, 5 if kind is str else "lots", False))
        if kind is int:
            out += [("huge", p.name, HUGE_INT, False), ("inf", p.name, math.inf, False),
                    ("fraction", p.name, 1.5, False)]
        if kind is float:
            out += [("nan", p.name, math.nan, True), ("inf", p.name, math.inf, True),
                    ("huge", p.name, HUGE_INT, False)]
        if p.minimum is not None:
            out.append(("below-minimum", p.name, (p.minimum - 1) if p.minimum else -1.0 if kind is float else -1,
                        True))
        if p.choices:
            out.append(("not-a-choice", p.name, "no_such_choice", True))
    return out


def _template_param_cases(base: dict[str, Any]) -> list[Case]:
    cases = []
    for template, _ in TEMPLATES:
        for label, name, value, _range in param_faults(template):
            fixed = copy.deepcopy(base)
            fixed["accelerator"] = {"template": template, "params": {name: value}, "search": {}}
            cases.append(_run_case(f"experiment:accelerator.params.{name}@{template}:{label}", fixed,
                                   f"accelerator.params.{name}"))
            searched = copy.deepcopy(base)
            searched["accelerator"] = {"template": template, "search": {name: [value]}}
            cases.append(_run_case(f"experiment:accelerator.search.{name}@{template}:{label}", searched,
                                   f"accelerator.search.{name}"))
        for label, spec in (("list", ["rows"]), ("scalar", 4)):
            data = copy.deepcopy(base)
            data["accelerator"] = {"template": template, "search": spec}
            cases.append(_run_case(f"experiment:accelerator.search@{template}:{label}", data, "accelerator.search"))
        for label, spec in (("empty-choices", []), ("low-above-high", {"low": 8, "high": 4}),
                            ("no-high", {"low": 4}), ("unknown-key", {"low": 1, "high": 4, "by": 2}),
                            ("nan-low", {"low": math.nan, "high": 4.0})):
            data = copy.deepcopy(base)
            data["accelerator"] = {"template": template, "search": {"rows": spec}}
            cases.append(_run_case(f"experiment:accelerator.search.rows@{template}:{label}", data,
                                   "accelerator.search.rows"))
    return cases


# -- accelerator and preset files ------------------------------------------------------------------
EVAL_WORKLOAD = ("evaluate", "--workload", "{d}/net.yaml", "--no-layers", "--json")
ONE_LAYER = _dump({"name": "net", "layers": [{"name": "fc", "op": "linear", "K": 8, "C": 16}]})


def accelerator_file_cases() -> list[Case]:
    """Accelerator YAML files (``--accelerator FILE``; a preset file is one): their keys, and
    every template parameter in them."""
    def case(case_id: str, data: Any, needle: str) -> Case:
        text = data if isinstance(data, (str, bytes)) else _dump(data)
        return Case(f"accelerator-file:{case_id}", (*EVAL_WORKLOAD, "--accelerator", "{d}/acc.yaml"), needle,
                    {"acc.yaml": text, "net.yaml": ONE_LAYER})

    cases = []
    for template, _ in TEMPLATES:
        for label, name, value, range_fault in param_faults(template):
            if range_fault:
                continue  # a design that cannot run: an infeasible result (tests/badinput/test_corpus.py)
            cases.append(case(f"params.{name}@{template}:{label}", {"template": template, "params": {name: value}},
                              f"acc.yaml.params.{name}"))
    valid = {"name": "mine", "template": "systolic", "params": {"rows": 8}, "sources": ["me"]}
    for key in PRESET_KEYS:
        wrong = {"params": [1, 2], "sources": "one string"}.get(key, [1, 2])
        cases.append(case(f"{key}:wrong-type", {**valid, key: wrong}, f"acc.yaml.{key}"))
    cases += [
        case("unknown-key", {**valid, "colour": "red"}, "acc.yaml.colour"),
        case("template:unknown-name", {**valid, "template": "no_such_template"}, "acc.yaml.template"),
        case("preset:unknown-name", {"preset": "no_such_preset"}, "acc.yaml.preset"),
        case("preset:params-wrong-type", {"preset": "eyeriss", "params": {"rows": "lots"}}, "acc.yaml.params.rows"),
        case("template:missing", {"params": {"rows": 8}}, "acc.yaml"),
    ]
    cases += [case(f"file:{label}", content, "acc.yaml") for label, content, _ in FILE_FAULTS]
    return cases


def preset_dir_cases() -> list[Case]:
    """A preset directory holding a broken preset: every key missing or of the wrong type, every
    parameter fault; ``codesign accelerators`` names the file and the field."""
    valid = {"name": "mine", "description": "d", "template": "systolic", "params": {"rows": 8},
             "sources": ["s"], "notes": "n"}
    cases = []
    for key in PRESET_KEYS:
        for label, data in (("missing", {k: v for k, v in valid.items() if k != key}),
                            ("wrong-type", {**valid, key: {"params": [1, 2], "sources": 3}.get(key, [1, 2])})):
            if label == "missing" and key not in ("name", "template", "params"):
                continue  # optional keys
            cases.append(Case(f"preset:{key}:{label}", ("accelerators",), f"bad.yaml.{key}",
                              presets={"bad.yaml": _dump(data)}))
    for label, name, value, _range in param_faults("systolic"):
        if _range:
            continue
        cases.append(Case(f"preset:params.{name}:{label}", ("accelerators",), f"bad.yaml.params.{name}",
                          presets={"bad.yaml": _dump({**valid, "params": {name: value}})}))
    cases += [Case(f"preset:file:{label}", ("accelerators",), "bad.yaml", presets={"bad.yaml": content})
              for label, content, _ in FILE_FAULTS]
    return cases


# -- layer YAML ------------------------------------------------------------------------------------
def _layer_faults() -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = [("unknown-key", "colour", "red")]
    for f in dataclasses.fields(Layer):
        kind = {"int": int, "float": float, "str": str}.get(f.type, f.type)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            out.append(("missing", f.name, ...))
        if f.name == "extra":
            out.append(("wrong-type", f.name, [1]))
            continue
        out.append(("wrong-type", f.name, [1] if kind is str else "lots"))
        if kind in (int, float):
            out += [("negative", f.name, -1), ("huge", f.name, HUGE_INT), ("inf", f.name, math.inf),
                    ("nan", f.name, math.nan), ("bool", f.name, True)]
        if kind is int and f.name not in ("H", "W"):
            out.append(("zero", f.name, 0))
        if kind is int:
            out.append(("fraction", f.name, 2.5))
        if f.name == "op":
            out.append(("unknown-op", f.name, "no_such_op"))
    return out


def layer_cases() -> list[Case]:
    """Every field of ``Layer`` in a layers YAML, and the file's own keys."""
    good = {"name": "conv", "op": "conv", "K": 8, "C": 4, "P": 4, "Q": 4, "R": 3, "S": 3}

    def case(case_id: str, data: Any, needle: str) -> Case:
        text = data if isinstance(data, (str, bytes)) else _dump(data)
        return Case(f"layers:{case_id}", (*EVAL_WORKLOAD, "--accelerator", "eyeriss"), needle, {"net.yaml": text})

    cases = []
    for label, name, value in _layer_faults():
        layer = {k: v for k, v in good.items() if k != name} if value is ... else {**good, name: value}
        cases.append(case(f"layers[1].{name}:{label}", {"name": "net", "layers": [good, {**layer, "name": "x"}
                                                                              if name != "name" else layer]},
                          f"net.yaml.layers[1].{name}"))
    cases += [
        case("layers:missing", {"name": "net"}, "net.yaml.layers"),
        case("layers:empty", {"name": "net", "layers": []}, "net.yaml.layers"),
        case("layers:wrong-type", {"name": "net", "layers": {"a": 1}}, "net.yaml.layers"),
        case("layers[0]:wrong-type", {"name": "net", "layers": [7]}, "net.yaml.layers[0]"),
        case("layers:duplicate-name", {"name": "net", "layers": [good, good]}, "net.yaml.layers"),
        case("name:wrong-type", {"name": [1], "layers": [good]}, "net.yaml.name"),
        case("input_shape:wrong-type", {"name": "n", "input_shape": "big", "layers": [good]}, "net.yaml.input_shape"),
        case("input_shape:negative", {"name": "n", "input_shape": [1, -3], "layers": [good]}, "net.yaml.input_shape"),
        case("unknown-key", {"name": "n", "colour": 1, "layers": [good]}, "net.yaml"),
        case("groups:not-dividing", {"layers": [{**good, "groups": 3}]}, "net.yaml.layers[0].groups"),
    ]
    cases += [case(f"file:{label}", content, "net.yaml") for label, content, _ in FILE_FAULTS if label != "list"]
    return cases


# -- the command line ------------------------------------------------------------------------------
#: A valid invocation of every command, that the argument faults are applied to.
VALID_ARGV: dict[str, tuple[str, ...]] = {
    "run": ("run", "{d}/exp.yaml", "--out", "{d}/run", "--quiet"),
    "front": ("front", "{d}/run"),
    "status": ("status", "{d}/run"),
    "export": ("export", "{d}/run", "--trial", "0", "--out", "{d}/bundle"),
    "evaluate": EVAL_WORKLOAD + ("--accelerator", "eyeriss"),
    "proxy": ("proxy", "--space", "mbconv", "--arch", "no_such_key"),
    "spaces": ("spaces", "mbconv"),
    "accelerators": ("accelerators",),
    "split": ("split", "--workload", "{d}/net.yaml", "--accelerator", "eyeriss", "--link", "5g_sub6",
              "--mec", "nvdla_large"),
    "links": ("links",),
    "report": ("report", "{d}/run", "--out", "{d}/report.html"),
    "plot": ("plot", "{d}/run", "--kind", "front", "--out", "{d}/front.png"),
    "dashboard": ("dashboard", "{d}/run"),
}
#: Arguments that name a file or directory, by ``dest``: what it should be.
FILE_ARGS = {"config": "yaml", "workload": "yaml", "accelerator": "yaml", "arch_file": "text",
             "run_dir": "dir", "resume": "dir", "bundle": "dir", "path": "dir"}


def _subparsers() -> dict[str, Any]:
    import argparse

    from codesign.cli.main import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    return dict(sub.choices)


def _replace_option(argv: tuple[str, ...], option: str, value: str | None) -> tuple[str, ...]:
    """``argv`` with ``option``'s value set to ``value`` (dropped when ``None``)."""
    out = list(argv)
    if option in out:
        i = out.index(option)
        del out[i:i + 2]
    if value is not None:
        out += [option, value]
    return tuple(out)


def cli_cases() -> list[Case]:
    """From the argparse definitions: every typed option given text and a huge number, every
    choice given a non-choice, every required option dropped, an unknown option per command,
    and every file argument given the file faults, a directory (or a file) and a missing path."""
    import argparse

    cases = []
    for command, parser in _subparsers().items():
        argv = VALID_ARGV[command]
        cases.append(Case(f"cli:{command}:unknown-option", (*argv, "--no-such-option"), "--no-such-option"))
        for action in parser._actions:  # noqa: SLF001
            if isinstance(action, argparse._HelpAction) or not action.option_strings:  # noqa: SLF001
                continue
            option = action.option_strings[-1]
            if action.type is not None:
                cases.append(Case(f"cli:{command}:{option}:wrong-type", _replace_option(argv, option, "lots"), option))
                cases.append(Case(f"cli:{command}:{option}:huge", _replace_option(argv, option, str(HUGE_INT)), option))
                cases.append(Case(f"cli:{command}:{option}:negative", _replace_option(argv, option, "-5"), option))
            if action.choices:
                cases.append(Case(f"cli:{command}:{option}:not-a-choice", _replace_option(argv, option, "nope"),
                                  option))
            if action.required:
                cases.append(Case(f"cli:{command}:{option}:missing", _replace_option(argv, option, None), option))
        cases += _file_arg_cases(command, parser, argv)
    cases += _kv_option_cases()
    # The files the valid invocations name (a case's own files come on top).
    common = {"exp.yaml": _dump(base_experiment()), "net.yaml": ONE_LAYER}
    return [dataclasses.replace(c, files={**common, **c.files}) for c in cases]


def _file_arg_cases(command: str, parser: Any, argv: tuple[str, ...]) -> list[Case]:
    cases = []
    for action in parser._actions:  # noqa: SLF001
        kind = FILE_ARGS.get(action.dest)
        if kind is None:
            continue
        option = action.option_strings[-1] if action.option_strings else None
        base = _file_base(command, action.dest, argv)
        path = "{d}/target"
        # An option gets the path as its value; a positional is the second word of the argv.
        args = _replace_option(base, option, path) if option else (base[0], path, *base[2:])
        tag = f"cli:{command}:{option or action.dest}"
        cases.append(Case(f"{tag}:absent", args, "target"))
        if kind == "dir":
            cases.append(Case(f"{tag}:a-file", args, "target", {"target": "a file\n"}))
            cases.append(Case(f"{tag}:empty-dir", args, "target", {"target": None}))
            cases += _bundle_cases(tag, args) if action.dest == "bundle" else _run_dir_cases(tag, args)
            continue
        cases.append(Case(f"{tag}:a-directory", args, "target", {"target": None}))
        for label, content, _ in FILE_FAULTS:
            if kind == "text" and label not in ("empty", "non-utf8"):
                continue
            cases.append(Case(f"{tag}:{label}", args, "target", {"target": content}))
    return cases


def _file_base(command: str, dest: str, argv: tuple[str, ...]) -> tuple[str, ...]:
    """A valid argv for ``command`` in which ``dest`` is the argument to spoil."""
    if command == "run" and dest == "resume":
        return ("run", "--resume", "{d}/run", "--quiet")
    if command == "evaluate" and dest == "bundle":
        return ("evaluate", "{d}/run")
    if command == "evaluate" and dest == "arch_file":
        return ("evaluate", "--space", "mbconv", "--arch-file", "{d}/keys", "--accelerator", "eyeriss")
    if command == "evaluate" and dest == "accelerator":
        return (*EVAL_WORKLOAD, "--accelerator", "eyeriss")
    if command == "proxy" and dest == "arch_file":
        return ("proxy", "--space", "mbconv", "--arch-file", "{d}/keys")
    return argv


def _run_dir_cases(tag: str, args: tuple[str, ...]) -> list[Case]:
    """A run directory whose files are damaged: config.yaml (every file fault), run.json."""
    cases = []
    for label, content, _ in FILE_FAULTS:
        cases.append(Case(f"{tag}:config.yaml:{label}", args, "target/config.yaml",
                          {"target": None, "target/config.yaml": content}))
    cases.append(Case(f"{tag}:config.yaml:a-directory", args, "target/config.yaml",
                      {"target": None, "target/config.yaml": None}))
    good = _dump(base_experiment())
    for label, content in (("non-utf8", NOT_UTF8), ("not-json", "{not json"), ("list", "[1]")):
        cases.append(Case(f"{tag}:run.json:{label}", args, "target/run.json",
                          {"target": None, "target/config.yaml": good, "target/run.json": content}))
    return cases


BUNDLE_FILES = ("bundle.json", "arch.json", "accelerator.yaml", "metrics.json")


def _bundle_cases(tag: str, args: tuple[str, ...]) -> list[Case]:
    """An export bundle with one of its files damaged (every file fault), or of the wrong shape."""
    good = {"bundle.json": json.dumps({"scoring": {"space": "mbconv", "proxy": None}}),
            "arch.json": json.dumps({"key": "k"}), "accelerator.yaml": _dump({"preset": "eyeriss"}),
            "metrics.json": "{}"}
    cases = []
    for name in BUNDLE_FILES:
        faults = [(label, content) for label, content, _ in FILE_FAULTS]
        if name.endswith(".json"):
            faults.append(("not-json", "{not json"))
        for label, content in faults:
            files = {"target": None, **{f"target/{k}": v for k, v in good.items()}, f"target/{name}": content}
            cases.append(Case(f"{tag}:{name}:{label}", args, f"target/{name}", files))
    for label, scoring, needle in (("scoring-list", [1], "scoring"), ("batch-text", {"space": "mbconv", "batch": "x"},
                                   "scoring.batch"), ("unknown", {"space": "mbconv", "colour": 1}, "scoring")):
        files = {"target": None, **{f"target/{k}": v for k, v in good.items()},
                 "target/bundle.json": json.dumps({"scoring": scoring})}
        cases.append(Case(f"{tag}:bundle.json:{label}", args, needle, files))
    return cases


def _kv_option_cases() -> list[Case]:
    """``KEY=VALUE`` options (``--set``, ``--space-option``): empty key, no ``=``, bad YAML, NaN,
    and every template parameter given a value of the wrong type."""
    cases = []
    for option, argv in (("--set", VALID_ARGV["evaluate"]), ("--space-option", ("spaces", "mbconv"))):
        for label, item in (("empty-key", "=3"), ("no-equals", "rows"), ("bad-yaml", "rows=[1"),
                            ("nan", "rows=.nan")):
            cases.append(Case(f"cli:{option}:{label}", (*argv, option, item), option))
    for label, name, value, range_fault in param_faults("spatial"):
        if range_fault or value is HUGE_INT:
            continue
        item = f"{name}={_dump(value).strip().removesuffix('...').strip()}"
        cases.append(Case(f"cli:--set:{name}:{label}", (*VALID_ARGV["evaluate"], "--set", item), f"--set {name}"))
    cases.append(Case("cli:--space-option:unknown", ("spaces", "mbconv", "--space-option", "colour=red"),
                      "space.options.colour"))
    return cases


# -- plugin options (codesign/options.py) ----------------------------------------------------------
def _plugin_registries() -> dict[str, Any]:
    from codesign.proxies.base import PROXIES
    from codesign.search.stages.base import STAGES
    from codesign.search.subspaces.base import SUBSPACES
    from codesign.spaces.base import SPACES

    return {"space": SPACES, "proxy": PROXIES, "stage": STAGES, "subspace": SUBSPACES}


def plugin_option_faults() -> list[tuple[str, type[BaseModel], dict[str, Any], str, str]]:
    """``(id, Options model, raw options, where, needle)`` for every field of every registered
    plugin's ``Options`` model (spaces, proxies, stages, sub-spaces) that validates from no
    options: each field fault of ``model_field_faults`` given to ``validate_options``."""
    out = []
    for kind, registry in _plugin_registries().items():
        for name, cls in registry:
            model = getattr(cls, "Options", None)
            if model is None:
                continue
            try:
                model.model_validate({})
            except Exception:  # noqa: BLE001 - a model with required fields: their faults come from the config walk
                continue
            where = f"{kind}:{name}"
            for label, path, value in model_field_faults(model, ""):
                if value is ...:
                    continue
                raw = _set_path({}, path, value)
                dotted = ".".join(path)
                out.append((f"{where}:{dotted}:{label}", model, raw, where, f"{where}.{dotted}"))
    return out


def plugin_config_cases() -> list[Case]:
    """Plugin options where an experiment gives them: the synthetic stage's (``evaluator.options``),
    every proxy's (``proxy.options``, under the model evaluator with the proxy as objective), every
    strategy's (an option its sampler does not take), the ``stages:`` and ``subspaces:`` lists."""
    from codesign.proxies.base import PROXIES
    from codesign.search.stages.synthetic import SyntheticStage
    from codesign.search.strategies import STRATEGIES

    base = base_experiment()
    cases = []
    for label, path, value in model_field_faults(SyntheticStage.Options, "evaluator.options"):
        dotted = ".".join(path)
        cases.append(_run_case(f"experiment:{dotted}:{label}", _set_path(base, path, value), dotted))
    for name, cls in PROXIES:
        model_config = copy.deepcopy(base)
        model_config["evaluator"] = {"name": "model"}
        model_config["objectives"] = {"proxy": "maximize", "latency": "minimize"}
        model_config["proxy"] = {"name": name}
        for label, path, value in model_field_faults(cls.Options, "proxy.options"):
            dotted = ".".join(path)
            if value is ...:
                continue
            cases.append(_run_case(f"experiment:{dotted}@{name}:{label}", _set_path(model_config, path, value),
                                   dotted))
    for name, _ in STRATEGIES:
        data = _set_path(base, ("strategy",), {"name": name, "options": {"no_such_option": 1}})
        cases.append(_run_case(f"experiment:strategy.options@{name}:unknown-option", data, "strategy.options"))
    cases += [
        _run_case("experiment:stages[0].name:unknown-name", {**base, "stages": [{"name": "no_such_stage"}]},
                  "stages[0].name"),
        _run_case("experiment:stages[0]:wrong-type", {**base, "stages": [7]}, "stages.0"),
        _run_case("experiment:stages[0].options:unknown-key",
                  {**base, "stages": [{"name": "synthetic", "options": {"no_such_key": 1}}]}, "stages[0]"),
        _run_case("experiment:subspaces.no_such:unknown-name", {**base, "subspaces": {"no_such": {}}},
                  "subspaces.no_such"),
        _run_case("experiment:subspaces.arch:has-a-section", {**base, "subspaces": {"arch": {}}}, "subspaces.arch"),
    ]
    return cases


def all_cases() -> list[Case]:
    """The whole corpus."""
    cases = (experiment_cases() + plugin_config_cases() + accelerator_file_cases() + preset_dir_cases()
             + layer_cases() + cli_cases())
    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate case ids: {sorted(dup)[:5]}"
    return cases
