"""Printing: what a print page needs (assets as URLs or file:// paths, organisation, narrative) and the PDF,
made by headless Chromium; used by the dashboards' report and by report back sheets.

The PDF is Chromium's own print of the same HTML (charts drawn by plotly.js as on
screen, so they match): the page is written to a private temporary folder with
its stylesheets and scripts as file:// URLs, and `chromium --headless
--print-to-pdf` prints it. No network is used; the browser gets a fresh profile
each time and is killed if it takes longer than PDF_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from flask import current_app, url_for
from markupsafe import Markup

from .narrative import render_narrative

PLOTLY_JS = Path(__import__("plotly").__file__).parent / "package_data" / "plotly.min.js"
PDF_TIMEOUT_SECONDS = 90
# The last few PDFs, by the HTML they print: the same report asked for again (a co-chair's second click, the
# same page for another signed-in reader) is not printed again. Keyed by the whole page, so any change in the
# figures, the filters or the wording prints afresh; per process and small (a report's PDF is ~100-500 KB).
PDF_CACHE_SIZE = 8
_printed: OrderedDict[str, bytes] = OrderedDict()
_printed_lock = threading.Lock()
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=20000",
)


class PdfError(RuntimeError):
    """Chromium could not print the page."""


def json_block(data) -> Markup:
    """Data as JSON that is safe inside <script type="application/json"> (no '</script>' can end it)."""
    text = json.dumps(data)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _assets(mode: str):
    """url(kind, name) for the page's files: served URLs on the web, file:// paths for the PDF."""
    static = Path(current_app.static_folder)

    def url(name: str) -> str:
        if name == "plotly":
            return PLOTLY_JS.as_uri() if mode == "pdf" else url_for("shared.plotly_js")
        if name == "logo":
            logo = current_app.config.get("ORGANISATION_LOGO") or ""
            path = Path(current_app.instance_path, Path(logo).name) if logo else None
            if path is None or not path.is_file():
                return ""
            return path.as_uri() if mode == "pdf" else url_for("reports.logo")
        return (static / name).as_uri() if mode == "pdf" else url_for("static", filename=name)

    return url


def print_context(mode: str, exact: bool = False) -> dict:
    asset = _assets(mode)
    return {
        "asset": asset,
        "organisation_name": current_app.config.get("ORGANISATION_NAME") or "",
        "organisation_logo_url": asset("logo"),
        "exact": exact,
        "mode": mode,
        "json_block": json_block,
        "narrative": render_narrative,
    }


def html_to_pdf(html: str) -> bytes:
    """Chromium's print of a page given as HTML (its files referenced as file:// URLs), or the same page's
    print made a moment ago."""
    chromium = current_app.config.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    key = hashlib.sha256(f"{chromium}\0{html}".encode("utf-8", "surrogatepass")).hexdigest()
    with _printed_lock:
        if key in _printed:
            _printed.move_to_end(key)
            return _printed[key]
    pdf = _print(chromium, html)
    with _printed_lock:
        _printed[key] = pdf
        while len(_printed) > PDF_CACHE_SIZE:
            _printed.popitem(last=False)
    return pdf


def _print(chromium: str, html: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="surveyapp-pdf-") as tmp:
        page, out = Path(tmp, "page.html"), Path(tmp, "page.pdf")
        page.write_text(html, encoding="utf-8")
        try:
            subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", page.as_uri()],
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            current_app.logger.error("PDF printing failed: %s", exc)
            raise PdfError("Chromium could not print the page") from exc
        if not out.is_file() or out.stat().st_size == 0:
            raise PdfError("Chromium printed nothing")
        return out.read_bytes()
