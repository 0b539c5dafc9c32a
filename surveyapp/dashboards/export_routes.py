"""Export views: responses (CSV, XLSX), the codebook and aggregates for publication. Every download is audited."""

from __future__ import annotations

from flask import Response as HTTPResponse
from flask import current_app, g, render_template, request, stream_with_context
from flask_babel import gettext

from ..analysis import exports, queries
from ..audit import record_audit
from ..auth.access import roles_required
from ..extensions import db
from ..models import Survey
from . import bp
from .access import parse_filters, survey_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = ("responses.csv", "responses.xlsx", "codebook.csv", "summary.csv")


@bp.get("/<slug>/exports", endpoint="exports")
@roles_required("admin", "analyst")
def exports_page(slug):
    survey = survey_or_404(slug)
    attributes = queries.attribute_names(db.session, survey.id)
    return render_template(
        "dashboards/exports.html",
        title=gettext("Exports: %(title)s", title=survey.title),
        survey=survey,
        attributes=attributes,
        tab="exports",
    )


def _download_name(slug: str, filename: str) -> str:
    return f"{slug}-{filename}"


@bp.get(f"/<slug>/export/<any({', '.join(FILES)}):filename>")
@roles_required("admin", "analyst")
def export(slug, filename):
    survey = survey_or_404(slug)
    filters, _ = parse_filters(request.args)
    labels = request.args.get("labels") in ("1", "true", "yes")
    count = queries.respondent_count(db.session, survey.id, filters) if filename.startswith("responses") else None
    record_audit(
        db.session,
        "results.export",
        target=filename,
        survey=survey,
        count=count,
        detail=("labels" if labels else "codes") + (" filtered" if filters.active else ""),
    )
    db.session.commit()
    g.read_only = True  # the audit row is in; reading the rows out need not hold SQLite's write lock
    disposition = {
        "Content-Disposition": f'attachment; filename="{_download_name(survey.slug, filename)}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if filename == "responses.csv":
        return HTTPResponse(
            stream_with_context(_streamed_csv(survey.id, labels, filters)), mimetype="text/csv", headers=disposition
        )
    if filename == "responses.xlsx":
        headers, rows = exports.response_rows(db.session, survey, labels, filters)
        code_headers, code_rows = exports.codebook_rows(db.session, survey)
        body = exports.xlsx_bytes([("responses", headers, rows), ("codebook", code_headers, code_rows)])
        return HTTPResponse(body, mimetype=XLSX, headers=disposition)
    if filename == "codebook.csv":
        headers, rows = exports.codebook_rows(db.session, survey)
    else:
        headers, rows = exports.summary_rows(db.session, survey)
    return HTTPResponse("".join(exports.csv_lines(headers, rows)), mimetype="text/csv", headers=disposition)


def _streamed_csv(survey_id: int, labels: bool, filters):
    """The responses CSV, read while it is sent, in an app context (and database session) of its own.

    Flask pops the request's app context, and Flask-SQLAlchemy removes its session,
    as soon as the view returns, before a streamed body is read: a query begun in the
    view would lose its transaction (on PostgreSQL its server-side cursor is gone).
    stream_with_context keeps the request itself, so the SQLite transaction is a plain
    read (g.read_only), not a writer's BEGIN IMMEDIATE.
    """
    app = current_app._get_current_object()

    def body():
        with app.app_context():
            g.read_only = True
            survey = db.session.get(Survey, survey_id)
            headers, rows = exports.response_rows(db.session, survey, labels, filters)
            yield from exports.csv_lines(headers, rows)

    return body()
