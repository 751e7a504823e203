"""One way to validate a plugin's options: a pydantic ``Options`` model per plugin (space, proxy,
strategy, stage, sub-space) and one helper that turns the first validation error into a
one-line ``ConfigError`` naming the dotted field and the offending value.

This module imports pydantic only (no torch, no Optuna), so a config can be checked cheaply."""
from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from codesign.errors import ConfigError


class PluginOptions(BaseModel):
    """Options of one plugin: unknown keys are refused, values are frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class NoOptions(PluginOptions):
    """The options of a plugin that takes none."""


M = TypeVar("M", bound=BaseModel)

_MAX_VALUE_CHARS = 60


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def format_validation_error(exc: ValidationError, where: str, model: type[BaseModel] | None = None) -> ConfigError:
    """First pydantic error as a one-line ``ConfigError`` naming the field (``where.loc``) and,
    for a bad value, the value given; an unknown top-level key of ``model`` lists the known ones."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    field = f"{where}.{loc}" if where and loc else (where or loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        if model is not None and len(err["loc"]) == 1:
            return ConfigError(field, f"unknown key (known: {', '.join(model.model_fields) or 'none'})")
        return ConfigError(field, "unknown key")
    if kind == "missing":
        return ConfigError(field, "required")
    msg = err["msg"].removeprefix("Value error, ")
    if not loc:  # a check across fields names its field first: "data_path: ..."
        head, sep, rest = msg.partition(": ")
        if sep and head.isidentifier():
            return ConfigError(f"{field}.{head}" if field else head, rest)
    if "input" in err and not isinstance(err["input"], dict) and repr(err["input"]) not in msg:
        msg = f"{msg} (got {_shown(err['input'])})"
    return ConfigError(field, msg)


def validate_options(model: type[M], raw: Any, where: str) -> M:
    """``raw`` (a mapping, ``None`` for none, or an instance already) validated into ``model``;
    a bad value raises a one-line ``ConfigError`` on ``where.<field>``."""
    if isinstance(raw, model):
        return raw
    if raw is None:
        raw = {}
    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    if not isinstance(raw, dict):
        raise ConfigError(where, f"expected a mapping of options, got {_shown(raw)}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise format_validation_error(exc, where, model) from None
