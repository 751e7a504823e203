"""``codesign proxy``: accuracy-proxy scores of architectures, one JSON object per line."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from codesign.errors import ConfigError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("proxy", help="score architectures with accuracy proxies (JSON lines)")
    p.add_argument("--space", required=True, help="search space name (see `codesign spaces`)")
    p.add_argument("--space-option", action="append", metavar="KEY=VALUE", help="space option")
    p.add_argument("--arch", help="architecture key")
    p.add_argument("--arch-file", help="file with one architecture key per line")
    p.add_argument("--proxy", action="append", required=True, metavar="NAMES",
                   help="proxy names, comma-separated or repeated (see the proxies list in docs/proxies.md)")
    p.add_argument("--data", default="synthetic", choices=("synthetic", "gaussian", "digits", "mnist", "folder"))
    p.add_argument("--data-path", help="image folder for --data folder")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="(the output is always JSON lines)")


def cmd_proxy(args: argparse.Namespace) -> int:
    from codesign.hardware.presets import parse_overrides
    from codesign.proxies.base import PROXIES
    from codesign.search.design import model_pipeline

    names = [n.strip() for item in args.proxy for n in item.split(",") if n.strip()]
    for name in names:
        PROXIES.get(name, field="--proxy")
    if bool(args.arch) == bool(args.arch_file):
        raise ConfigError("--arch", "give --arch KEY or --arch-file FILE")
    if args.arch_file:
        path = Path(args.arch_file)
        if not path.is_file():
            raise ConfigError(str(path), "architecture file not found")
        keys = [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    else:
        keys = [args.arch]
    stages = {name: model_pipeline(
        args.space, space_options=parse_overrides(args.space_option, "--space-option"), proxy=name,
        proxy_batch_size=args.batch_size, proxy_data=args.data, proxy_data_path=args.data_path, seed=args.seed,
        cost=False).stage("proxy") for name in names}
    space = next(iter(stages.values())).space
    for line_no, key in enumerate(keys, start=1):
        try:
            arch = space.parse(key)
        except ConfigError as exc:
            raise ConfigError(f"{args.arch_file}:{line_no}" if args.arch_file else "--arch", exc.message) from None
        out: dict[str, Any] = {"space": args.space, "arch": key, "scores": {}, "seconds": {}, "errors": {}}
        for name, stage in stages.items():
            score = stage.score(arch)
            out["scores"][name] = score.value
            out["seconds"][name] = round(score.seconds, 4)
            if not score.ok:
                out["errors"][name] = score.error
        print(json.dumps(out, allow_nan=False))
        sys.stdout.flush()
    return 0
