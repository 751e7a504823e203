"""The self-contained HTML report: one file holding Plotly's JavaScript, the report's own
script and stylesheet (``assets/``) and the payload of ``collect.py`` as JSON, so the page opens
offline and nothing is fetched from the network.

The page records script errors in ``#js-errors`` (shown in red, and read by the browser test)."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from codesign.report.export import _clean

#: Catches errors from the moment the page starts (before Plotly and the report script run).
_ERROR_HOOK = """window.__reportErrors = [];
function __reportError(msg) {
  window.__reportErrors.push(String(msg));
  var box = document.getElementById("js-errors");
  if (box) box.textContent = window.__reportErrors.join("\\n");
}
window.addEventListener("error", function (e) { __reportError(e.message + " @ " + (e.filename || "") + ":" + (e.lineno || "")); });
window.addEventListener("unhandledrejection", function (e) { __reportError("unhandled rejection: " + (e.reason && e.reason.stack || e.reason)); });"""


def plotly_js() -> str:
    """Plotly's minified bundle as shipped in the ``plotly`` Python package."""
    return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_text(encoding="utf-8")


def _asset(name: str) -> str:
    return resources.files("codesign.report").joinpath("assets", name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text that cannot end the ``<script>`` element it sits in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def payload_json(payload: dict[str, Any]) -> str:
    """The payload as strict JSON (no NaN), safe inside a script element."""
    text = json.dumps(_clean(payload), default=str, allow_nan=False, separators=(",", ":"))
    return _script_safe(text).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_html(payload: dict[str, Any]) -> str:
    """The whole page."""
    title = str(payload.get("title", "codesign report")).replace("<", "&lt;")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>", f"<style>{_asset('report.css')}</style>",
        f"<script>{_ERROR_HOOK}</script>", f"<script>{_script_safe(plotly_js())}</script>",
        "</head>", "<body>", '<pre id="js-errors"></pre>', '<div id="app"></div>',
        f'<script id="report-data" type="application/json">{payload_json(payload)}</script>',
        f"<script>{_script_safe(_asset('report.js'))}</script>", "</body>", "</html>", "",
    ])


def write_html(payload: dict[str, Any], out: str | Path) -> Path:
    """Write the page to ``out``; returns its path."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(payload), encoding="utf-8")
    return path
