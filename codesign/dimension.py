"""A search dimension: categorical choices or a numeric range, sampled through an Optuna trial."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codesign.errors import ConfigError


@dataclass(frozen=True)
class Dimension:
    """One searchable parameter. ``choices`` for categorical; ``low``/``high`` (and optionally
    ``step`` or ``log``) for a numeric range, integer when ``integer`` is set."""

    name: str
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    integer: bool = False

    def suggest(self, trial: Any, prefix: str = "") -> Any:
        """Sample a value through an Optuna trial (define-by-run)."""
        name = prefix + self.name
        if self.choices is not None:
            return trial.suggest_categorical(name, list(self.choices))
        if self.integer:
            return trial.suggest_int(name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log)
        return trial.suggest_float(name, float(self.low), float(self.high), step=self.step, log=self.log)

    @property
    def size(self) -> int | None:
        """Number of values when finite."""
        if self.choices is not None:
            return len(self.choices)
        if self.integer:
            return int((self.high - self.low) // (self.step or 1)) + 1
        return None

    def describe(self) -> str:
        if self.choices is not None:
            return "{" + ", ".join(map(str, self.choices)) + "}"
        scale = " log" if self.log else ""
        step = f" step {self.step:g}" if self.step else ""
        return f"[{self.low:g}, {self.high:g}]{step}{scale}"

    @classmethod
    def parse(cls, name: str, spec: Any, where: str) -> Dimension:
        """A list of choices, or ``{low, high[, step][, log]}``."""
        if isinstance(spec, (list, tuple)):
            if not spec:
                raise ConfigError(where, "needs at least one choice")
            return cls(name=name, choices=tuple(spec))
        if isinstance(spec, dict):
            unknown = set(spec) - {"low", "high", "step", "log"}
            if unknown:
                raise ConfigError(where, f"unknown key(s) {', '.join(sorted(unknown))} (known: low, high, step, log)")
            if "low" not in spec or "high" not in spec:
                raise ConfigError(where, "a range needs 'low' and 'high'")
            low, high = spec["low"], spec["high"]
            for key, value in (("low", low), ("high", high)):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ConfigError(f"{where}.{key}", f"must be a number, got {value!r}")
            if low > high:
                raise ConfigError(where, f"low ({low}) is above high ({high})")
            log = bool(spec.get("log", False))
            if log and low <= 0:
                raise ConfigError(where, "a log range needs low > 0")
            integer = all(isinstance(v, int) for v in (low, high, spec.get("step", 1)))
            return cls(name=name, low=low, high=high, step=spec.get("step"), log=log, integer=integer)
        raise ConfigError(where, f"expected a list of choices or a {{low, high}} range, got {spec!r}")
