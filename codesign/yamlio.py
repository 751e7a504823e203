"""Reading user YAML files: ``yaml.safe_load`` only, and one-line errors naming the file."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from codesign.errors import ConfigError


def read_yaml(path: str | Path, what: str) -> Any:
    """Parse ``path``; a missing file or invalid YAML raises ``ConfigError`` naming ``what``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), f"{what} not found")
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), f"not valid YAML ({str(exc).splitlines()[0]})") from None
