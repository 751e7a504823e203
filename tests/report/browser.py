"""Headless Chromium (Debian's ``chromium``) for the report tests: the DOM after the page's
scripts ran, its console output, and a screenshot. No network, a fresh profile each time."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Software WebGL (SwiftShader) for the 3-D scatter and the parallel coordinates.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
         "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--enable-logging=stderr", "--v=0",
         "--hide-scrollbars", "--window-size=1400,7000"]
#: Virtual milliseconds the page may run before the DOM is taken (the scripts are synchronous
#: apart from Plotly's promises; virtual time passes as fast as the page allows).
VIRTUAL_TIME_MS = 20000
_CONSOLE = re.compile(r":CONSOLE(?:\(\d+\))?:?\d*\]\s*(.*)")


@dataclass
class PageRun:
    dom: str
    console: list[str]
    screenshot: Path


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                           f"--virtual-time-budget={VIRTUAL_TIME_MS}", *args],
                          capture_output=True, text=True, timeout=600)


def open_page(html: Path, tmp: Path, fragment: str = "") -> PageRun:
    """Load ``html`` (with ``#fragment``), dump its DOM and take a screenshot into ``tmp``."""
    url = html.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    dom_run = _chromium(["--dump-dom", url], tmp / "profile-dom")
    shot = tmp / f"{html.stem}{'-' + fragment.replace('=', '') if fragment else ''}.png"
    shot_run = _chromium([f"--screenshot={shot}", url], tmp / "profile-shot")
    console = [m.group(1) for line in (dom_run.stderr + shot_run.stderr).splitlines()
               if (m := _CONSOLE.search(line))]
    return PageRun(dom=dom_run.stdout, console=console, screenshot=shot)
