"""Adapter that makes any NNI ``ModelSpace`` a search space: its mutables become dimensions.

Point it at the class with ``model_space``, as ``package.module:Class`` (importable) or
``path/to/file.py:Class`` (a path relative to the working directory), and pass the class's
constructor arguments in ``init_args``::

    space:
      name: nni
      options:
        model_space: experiments/nni_user_space.py:TinyCNNSpace
        init_args: {num_classes: 10}
        num_classes: 10
        resolution: 32

How the mutables map (``space.simplify()`` in NNI's categorical format):

- ``Categorical`` (``nni.choice``, ``LayerChoice``, ``Repeat`` depth, ...): a categorical dimension
  named by its label, over its values (which must be None, bool, int, float or str).
- ``CategoricalMultiple`` (``InputChoice``): one true/false dimension per candidate
  (``<label>/<i>``) plus NNI's constraint on how many are chosen.
- ``Numerical`` (``nni.uniform``, ``nni.loguniform``, quantised or not): a float range.
- Constraints (``ExpressionConstraint``, and the ones above): checked on every architecture.
  Sampling draws each dimension through the trial and, when a constraint fails, takes the nearest
  valid architecture (fewest categorical dimensions changed, earlier dimensions and choices first);
  ``from_params`` applies the same rule, so a trial's parameters always name its architecture.

The model is built by re-running the class's constructor inside NNI's ``model_context`` with the
architecture as the sample. The key lists ``label=value`` in dimension order::

    width=24|depth=2|op0=conv3x3|op1=sep5x5|op2=conv3x3|skip/0=false|skip/1=true

Known limit: a mutable that the chosen architecture does not use (``op2`` when ``depth`` is 2)
still takes a value, so two keys can name one network; NNI does not say which mutables are active.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import itertools
import json
import math
import sys
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import torch.nn as nn
from pydantic import Field, field_validator

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import ARCH_PREFIX, SPACES, SearchSpace, SpaceOptions
from search_spaces._nni import build_frozen, nni_mutable, nni_nas

_FIELD = "space.options.model_space"
#: Most candidate architectures the constraint repair tries before giving up.
REPAIR_BUDGET = 20_000
#: Largest constrained space whose valid architectures ``size()`` counts one by one.
COUNT_LIMIT = 100_000
_SCALARS = (type(None), bool, int, float, str)


def _render(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@cache
def load_model_space(ref: str) -> type:
    """The class named by ``module:Class`` or ``file.py:Class`` (must subclass NNI's ModelSpace)."""
    target, sep, name = ref.rpartition(":")
    if not sep or not target or not name:
        raise ConfigError(_FIELD, f"{ref!r} should read package.module:Class or path/to/file.py:Class")
    nni_nas()  # imported quietly before the user's module imports it
    if target.endswith(".py"):
        path = Path(target).resolve()
        if not path.is_file():
            raise ConfigError(_FIELD, f"file {target} not found (relative paths start at {Path.cwd()})")
        module_name = f"codesign_user_space_{hashlib.sha1(str(path).encode()).hexdigest()[:12]}_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ConfigError(_FIELD, f"cannot load {target} as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        if str(path.parent) not in sys.path:
            sys.path.append(str(path.parent))  # so the file can import its neighbours
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - the user's module: report, do not crash
            del sys.modules[module_name]
            raise ConfigError(_FIELD, f"importing {target} failed: {type(exc).__name__}: {exc}") from None
    else:
        try:
            module = importlib.import_module(target)
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(_FIELD, f"cannot import {target}: {type(exc).__name__}: {exc}") from None
    cls = getattr(module, name, None)
    if cls is None:
        raise ConfigError(_FIELD, f"{target} has no {name!r}")
    model_space = nni_nas().nn.pytorch.ModelSpace
    if not (isinstance(cls, type) and issubclass(cls, model_space)):
        raise ConfigError(_FIELD, f"{ref} is not a subclass of nni.nas.nn.pytorch.ModelSpace")
    return cls


class NNIOptions(SpaceOptions):
    model_space: str = Field(description="package.module:Class or path/to/file.py:Class")
    init_args: dict[str, Any] = Field(default_factory=dict, description="keyword arguments of the class")

    @field_validator("model_space")
    @classmethod
    def _form(cls, value: str) -> str:
        if value.count(":") < 1 or not value.rpartition(":")[2]:
            raise ValueError("should read package.module:Class or path/to/file.py:Class")
        return value


@SPACES.register("nni")
class NNISpace(SearchSpace):
    """Any NNI ModelSpace (options.model_space = module:Class or file.py:Class); its mutables are the dimensions."""

    Options = NNIOptions
    options: NNIOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.model_class = load_model_space(self.options.model_space)
        self._dims, self._constraints = self._read_mutables()

    def _new_space(self) -> nn.Module:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self.model_class(**self.options.init_args)
        except TypeError as exc:
            raise ConfigError("space.options.init_args", f"{self.options.model_space}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - the user's constructor: report, do not crash
            raise ConfigError(_FIELD, f"constructing {self.options.model_space} failed: "
                                      f"{type(exc).__name__}: {exc}") from None

    def _read_mutables(self) -> tuple[list[Dimension], list[tuple[str, Any]]]:
        mutable = nni_mutable()
        supernet = self._new_space()
        simple = supernet.simplify(lambda m: not isinstance(m, mutable.CategoricalMultiple))
        dims: list[Dimension] = []
        constraints: list[tuple[str, Any]] = []
        for label, m in simple.items():
            where = f"{_FIELD} mutable {label!r}"
            if "|" in label or "=" in label:
                raise ConfigError(where, "labels must not contain '|' or '=' (they separate the key)")
            if isinstance(m, mutable.Categorical):
                dims.append(self._categorical(label, m.values, where))
            elif isinstance(m, mutable.Numerical):
                dims.append(self._numerical(label, m, where))
            elif isinstance(m, mutable.Constraint):
                constraints.append((label, m))
            else:
                raise ConfigError(where, f"{type(m).__name__} is not supported (Categorical, CategoricalMultiple, "
                                         "Numerical and constraints are)")
        if not dims:
            raise ConfigError(_FIELD, f"{self.options.model_space} has no mutables to search")
        return dims, constraints

    @staticmethod
    def _categorical(label: str, values: list[Any], where: str) -> Dimension:
        bad = [v for v in values if not isinstance(v, _SCALARS)]
        if bad:
            raise ConfigError(where, f"value {bad[0]!r} is not None, bool, int, float or str")
        rendered = [_render(v) for v in values]
        if len(set(rendered)) != len(rendered) or any("|" in r for r in rendered):
            raise ConfigError(where, f"values {rendered} must be distinct as text and free of '|'")
        return Dimension(label, choices=tuple(values))

    @staticmethod
    def _numerical(label: str, m: Any, where: str) -> Dimension:
        if m.mu is not None or m.sigma is not None or not (math.isfinite(m.low) and math.isfinite(m.high)):
            raise ConfigError(where, "only uniform or log-uniform ranges with finite bounds are supported")
        if m.quantize is not None and m.log_distributed:
            raise ConfigError(where, "a quantised log-uniform range is not supported")
        return Dimension(label, low=float(m.low), high=float(m.high), step=m.quantize, log=bool(m.log_distributed))

    # -- the space ----------------------------------------------------------------------------
    def dimensions(self) -> list[Dimension]:
        return list(self._dims)

    def size(self) -> int | None:
        """Exact when the space is small enough to walk, else ``None`` (constraints cut an
        unknown share of the product)."""
        product = super().size()
        if product is None or not self._constraints:
            return product
        if product > COUNT_LIMIT:
            return None
        archs = self.enumerate()
        return None if archs is None else sum(1 for _ in archs)

    def violated(self, genotype: dict[str, Any]) -> list[str]:
        """Labels of the constraints ``genotype`` breaks."""
        bad = []
        for label, constraint in self._constraints:
            try:
                ok = constraint.contains(genotype)
            except Exception:  # noqa: BLE001 - a constraint that cannot evaluate rejects
                ok = False
            if not ok:
                bad.append(label)
        return bad

    def repair(self, genotype: dict[str, Any]) -> dict[str, Any]:
        """``genotype`` if it meets the constraints, else the nearest one that does: fewest
        categorical dimensions changed, earlier dimensions and choices first, at most
        ``REPAIR_BUDGET`` candidates tried."""
        if not self.violated(genotype):
            return genotype
        cats = [d for d in self._dims if d.choices is not None]
        candidates = (
            {**genotype, **{d.name: v for d, v in zip(combo, values, strict=True)}}
            for distance in range(1, len(cats) + 1)
            for combo in itertools.combinations(cats, distance)
            for values in itertools.product(*([c for c in d.choices or () if c != genotype[d.name]] for d in combo))
        )
        for candidate in itertools.islice(candidates, REPAIR_BUDGET):
            if not self.violated(candidate):
                return candidate
        raise ConfigError("arch", f"none of the {REPAIR_BUDGET:,} architectures nearest to {self.to_text(genotype)} "
                                  f"meets the constraints {', '.join(self.violated(genotype))}")

    def sample(self, trial: Any) -> ArchSpec:
        genotype = {d.name: d.suggest(trial, ARCH_PREFIX) for d in self._dims}
        return self.spec(self.repair(genotype))

    def from_params(self, params: dict[str, Any]) -> ArchSpec:
        genotype = {k[len(ARCH_PREFIX):]: v for k, v in params.items() if k.startswith(ARCH_PREFIX)}
        return self.spec(self.repair(genotype))

    # -- keys -----------------------------------------------------------------------------------
    def to_text(self, genotype: dict[str, Any]) -> str:
        return "|".join(f"{d.name}={_render(genotype[d.name])}" for d in self._dims)

    def to_key(self, genotype: dict[str, Any]) -> str:
        self.require(genotype)
        key = self.to_text(genotype)
        return self.checked_key(key)  # values and constraints are checked in one place: from_key

    def from_key(self, key: str) -> dict[str, Any]:
        tokens = key.split("|")
        names = [d.name for d in self._dims]
        pairs = [t.partition("=") for t in tokens]
        if len(tokens) != len(self._dims) or [p[0] for p in pairs] != names or any(not p[1] for p in pairs):
            raise ConfigError("arch", f"{key!r} is not a key of {self.options.model_space} "
                                      f"(expected {'|'.join(n + '=<value>' for n in names)})")
        genotype: dict[str, Any] = {}
        for dim, (name, _, text) in zip(self._dims, pairs, strict=True):
            genotype[name] = self._value(dim, text)
        bad = self.violated(genotype)
        if bad:
            raise ConfigError("arch", f"{key!r} breaks the constraint(s) {', '.join(bad)}")
        return genotype

    @staticmethod
    def _value(dim: Dimension, text: str) -> Any:
        if dim.choices is not None:
            by_text = {_render(c): c for c in dim.choices}
            if text not in by_text:
                raise ConfigError("arch", f"{dim.name}={text} is not in the space {list(by_text)}")
            return by_text[text]
        try:
            value = float(text)
        except ValueError:
            raise ConfigError("arch", f"{dim.name}={text} is not a number") from None
        if not (dim.low is not None and dim.high is not None and dim.low <= value <= dim.high):
            raise ConfigError("arch", f"{dim.name}={text} is outside [{dim.low:g}, {dim.high:g}]")
        return value

    # -- models --------------------------------------------------------------------------------
    def _build(self, arch: ArchSpec) -> nn.Module:
        return build_frozen(self._new_space, dict(arch.genotype))

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        target, _, name = self.options.model_space.rpartition(":")
        files: dict[str, str] = {}
        if target.endswith(".py"):
            source = Path(target)
            files[source.name] = source.read_text()
            imports = ("import sys\nfrom pathlib import Path\n\n"
                       "from nni.nas.space import model_context\n\n"
                       "sys.path.insert(0, str(Path(__file__).resolve().parent))\n"
                       f"from {source.stem} import {name}  # noqa: E402 - copied beside this script")
        else:
            imports = f"from nni.nas.space import model_context\n\nfrom {target} import {name}"
        imports += f"\n\nSAMPLE = {dict(arch.genotype)!r}"
        body = f"    with model_context(SAMPLE):\n        return {name}(**{dict(self.options.init_args)!r})"
        files["model.py"] = self.model_script(arch, f"NNI and {name}", imports, body)
        return files
