"""``codesign spaces [NAME] [--space-option K=V ...] [--json]``: the search spaces and their
dimensions, from the registry."""
from __future__ import annotations

import argparse
import json
from typing import Any

from codesign.cli.render_text import first_paragraph
from codesign.errors import ConfigError


def space_listing(name: str, cls: type, options: dict[str, Any], strict: bool) -> dict[str, Any]:
    """One space's entry: docstring, dimensions and size with ``options``. Spaces that cannot be
    created without options (the NNI adapter) say what they need, unless ``strict``."""
    entry: dict[str, Any] = {"name": name, "doc": first_paragraph(cls)}
    try:
        space = cls(**options)
    except ConfigError as exc:
        if strict:
            raise
        return {**entry, "dimensions": {}, "size": None, "needs": str(exc)}
    dims = space.dimensions()
    return {**entry, "dimensions": {d.name: d.describe() for d in dims}, "size": space.size(),
            "options": space.options.model_dump(mode="json")}


def cmd_spaces(args: argparse.Namespace) -> int:
    from codesign.hardware.presets import parse_overrides
    from codesign.spaces.base import SPACES

    options = parse_overrides(getattr(args, "space_option", None), "--space-option")
    name = getattr(args, "name", None)
    if name:
        listing = [space_listing(name, SPACES.get(name, field="space"), options, strict=True)]
    else:
        if options:
            raise ConfigError("--space-option", "give a space NAME to apply options to")
        listing = [space_listing(n, cls, {}, strict=False) for n, cls in SPACES]
    if args.json:
        print(json.dumps(listing, default=str, allow_nan=False))
        return 0
    for entry in listing:
        size = entry["size"]
        count = f"{size:,} architectures" if size is not None else "size unbounded or not counted"
        print(f"{entry['name']}: {entry['doc']}")
        if "needs" in entry:
            print(f"    needs options ({entry['needs']}); list them with "
                  f"`codesign spaces {entry['name']} --space-option KEY=VALUE`")
            continue
        print(f"    {count}" + ("" if name else " with default options"))
        for dim, desc in entry["dimensions"].items():
            print(f"    {dim:>12} {desc}")
    return 0
