"""The printed report back sheet: one template for the print page, the share link and the PDF."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext

from ..extensions import db
from ..models import ReportBack
from ..printing import PdfError, html_to_pdf, print_context
from ..services import report_backs as service


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


def sheet_pdf(report: ReportBack) -> bytes:
    try:
        return html_to_pdf(sheet_html(report, "pdf"))
    except PdfError:
        abort(503, description=gettext("The PDF could not be made just now: print the page from your browser instead."))
