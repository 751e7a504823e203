"""User-facing errors: each one renders as a single line that names what is wrong."""
from __future__ import annotations


class CodesignError(Exception):
    """An error caused by the user's input (config, arguments, files), not by a bug.

    The CLI prints ``str(error)`` on one line and exits with status 2.
    """


class ConfigError(CodesignError):
    """An invalid experiment, accelerator or workload description.

    ``field`` is the dotted path of the offending entry (``strategy.name``), or the file.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class UnknownNameError(ConfigError):
    """A name that is not in a registry (space, template, proxy, strategy, ...)."""

    def __init__(self, kind: str, name: str, known: list[str], field: str = "") -> None:
        self.kind = kind
        self.name = name
        self.known = known
        super().__init__(field, f"unknown {kind} {name!r} (known: {', '.join(known) or 'none'})")
