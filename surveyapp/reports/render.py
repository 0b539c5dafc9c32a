"""The printed sheet: one template for the print page, the share link and the PDF; the PDF by headless Chromium.

The PDF is Chromium's own print of the same HTML (charts drawn by plotly.js as on
screen, so they match): the page is written to a private temporary folder with
its stylesheets and scripts as file:// URLs, and `chromium --headless
--print-to-pdf` prints it. No network is used; the browser gets a fresh profile
each time and is killed if it takes longer than PDF_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import abort, current_app, render_template, url_for
from markupsafe import Markup

from ..extensions import db
from ..models import ReportBack
from . import service
from .markdown import render_narrative

PLOTLY_JS = Path(__import__("plotly").__file__).parent / "package_data" / "plotly.min.js"
PDF_TIMEOUT_SECONDS = 90
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


def sheet_html(report: ReportBack, mode: str) -> str:
    cache: dict = {}
    figures = {s.id: service.live_figure(db.session, report, s, cache) for s in report.sections}
    carried = [a for a in report.actions if a.carried_from_id]
    new_actions = [a for a in report.actions if not a.carried_from_id]
    return render_template(
        "reports/sheet.html",
        title=report.title,
        report=report,
        figures=figures,
        carried=carried,
        new_actions=new_actions,
        **print_context(mode),
    )


def render_sheet(report: ReportBack, mode: str) -> str:
    return sheet_html(report, mode)


def html_to_pdf(html: str) -> bytes:
    """Chromium's print of a page given as HTML (its files referenced as file:// URLs)."""
    chromium = current_app.config.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
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


def sheet_pdf(report: ReportBack) -> bytes:
    try:
        return html_to_pdf(sheet_html(report, "pdf"))
    except PdfError:
        abort(503, description="The PDF could not be made just now: print the page from your browser instead.")
