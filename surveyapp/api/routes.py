"""JSON endpoints over the same figures as the dashboards (disclosure control on unless ?exact=1, audited)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Response, abort, current_app, g, jsonify, request, stream_with_context
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..analysis import figures, queries
from ..audit import record_audit
from ..auth.access import can_access_survey, roles_required
from ..dashboards.access import disclosure_for, mark_read_only, parse_filters, survey_or_404
from ..database import write_transaction
from ..extensions import db
from ..models import Survey
from ..numbers import query_int
from ..questionnaires.xlsform_export import XLSFormExportError
from ..services import fhir as fhir_service
from ..services import tokens
from ..services.tokens import bearer_token
from ..services.xlsform import XLSX_MIMETYPE, survey_version, version_xlsform
from . import bp

OPENAPI = Path(__file__).with_name("openapi.json")


def _public(data):
    """Drop the exact figures kept beside the disclosure-controlled ones (keys starting with '_')."""
    if isinstance(data, dict):
        return {k: _public(v) for k, v in data.items() if not k.startswith("_")}
    if isinstance(data, list):
        return [_public(v) for v in data]
    return data


def _refuse(status: int, error: str, message: str, bearer_error: str | None = None):
    response = jsonify(error=error, message=message)
    response.status_code = status
    challenge = 'Bearer realm="surveyapp"'
    if bearer_error:
        challenge += f', error="{bearer_error}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


@bp.before_request
def _authenticate():
    """A Bearer token (services/tokens.py) or the signed-in session; the token wins when both are sent."""
    g.read_only = True  # finding the token only reads
    token = bearer_token(request)
    if token is not None:
        row = tokens.find_live_token(db.session, token)
        if row is None:
            return _refuse(401, "unauthorized", "The token is unknown, expired or revoked.", "invalid_token")
        if not tokens.allows(row, request.method):
            return _refuse(403, "insufficient_scope", "This token is read-only.", "insufficient_scope")
        if tokens.needs_recording(row):
            db.session.commit()  # end the read, then write as a writer (SQLite: BEGIN IMMEDIATE)
            g.read_only = False
            tokens.record_use(db.session, row)
            db.session.commit()
        g._login_user = row.user  # Flask-Login's current_user, for this request only (no session)
    mark_read_only()
    if request.endpoint == "api.openapi":
        return None
    if not current_user.is_authenticated:
        return _refuse(401, "unauthorized", "Sign in, or send Authorization: Bearer <token>.")
    return None


def _json_error(error: HTTPException):
    response = jsonify(error=error.name.lower().replace(" ", "_"), message=error.description)
    response.status_code = error.code or 500
    return response


# By status code: the app's HTML error pages are registered by code, and those win over a class handler.
for _status in (400, 403, 404, 405, 429):
    bp.register_error_handler(_status, _json_error)
bp.register_error_handler(HTTPException, _json_error)


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(json.loads(OPENAPI.read_text()))


@bp.get("/surveys")
@roles_required("admin", "analyst")
def surveys():
    rows = [
        s for s in db.session.scalars(db.select(Survey).order_by(Survey.slug)) if can_access_survey(current_user, s)
    ]
    return jsonify(
        surveys=[
            {"slug": s.slug, "title": s.title, "status": s.status, "versions": [v.number for v in s.versions]}
            for s in rows
        ]
    )


def _disclosure_block(d) -> dict:
    return {
        "applied": d.active,
        "policy": d.policy,
        "exact_view": not d.enabled,
        "threshold": d.threshold,
        "rounding": d.rounding,
        "min_cell": d.min_cell,
        "rule": d.rule_text(),
    }


@bp.get("/surveys/<slug>/stats")
@roles_required("admin", "analyst")
def stats(slug):
    survey = survey_or_404(slug)
    d = disclosure_for(survey, "api.stats")
    by = request.args.get("by")
    breakdown = None
    if by in ("collection_mode", "volunteer"):
        rows = (
            figures.mode_figures(db.session, survey, d)
            if by == "collection_mode"
            else figures.volunteer_figures(db.session, survey, d)
        )
        body = {
            "survey": survey.slug,
            "title": survey.title,
            **figures.funnel_figures(db.session, survey, d),
            "disclosure": _disclosure_block(d),
            "by": by,
            "breakdown": rows,
        }
        return jsonify(_public(body))
    if by:
        if by not in queries.attribute_names(db.session, survey.id):
            response = jsonify(
                error="bad_request",
                message=f"No contact attribute '{by}' in this survey (or use collection_mode or volunteer).",
                attributes=queries.attribute_names(db.session, survey.id),
            )
            response.status_code = 400
            return response
        breakdown = figures.breakdown_figures(db.session, survey, d, by)
    body = {
        "survey": survey.slug,
        "title": survey.title,
        **figures.funnel_figures(db.session, survey, d, breakdown),
        "disclosure": _disclosure_block(d),
    }
    if breakdown is not None:
        body.update(by=by, breakdown=breakdown, under_represented_ratio=figures.UNDER_REPRESENTED_RATIO)
    return jsonify(_public(body))


@bp.get("/surveys/<slug>/results")
@roles_required("admin", "analyst")
def results(slug):
    survey = survey_or_404(slug)
    filters, errors = parse_filters(request.args)
    if errors:
        response = jsonify(error="bad_request", message="; ".join(e["text"] for e in errors))
        response.status_code = 400
        return response
    d = disclosure_for(survey, "api.results")
    respondents, _, results_ = figures.question_results(db.session, survey, d, filters)
    return jsonify(
        {
            "survey": survey.slug,
            "respondents": respondents,
            "filters": {
                "attr": filters.attribute,
                "value": list(filters.values),
                "mode": filters.mode,
                "from": filters.date_from and filters.date_from.isoformat(),
                "to": filters.date_to and filters.date_to.isoformat(),
                "version": filters.version,
            },
            "disclosure": _disclosure_block(d),
            "questions": [r.as_json() for r in results_],
        }
    )


def _fhir(resource: dict) -> Response:
    return Response(fhir_service.to_json(resource), mimetype=fhir_service.MEDIA_TYPE)


@bp.get("/surveys/<slug>/fhir/questionnaire")
@roles_required("admin", "analyst")
def fhir_questionnaire(slug):
    """The survey (its current version, or ?version=N) as a FHIR R4 Questionnaire."""
    survey = survey_or_404(slug)
    try:
        resource = fhir_service.questionnaire_resource(db.session, survey, query_int("version"))
    except fhir_service.VersionNotFound as exc:
        abort(404, str(exc))
    return _fhir(resource)


@bp.get("/surveys/<slug>/xlsform")
@roles_required("admin", "analyst")
def xlsform(slug):
    """The survey (its current version, or ?version=N) as an XLSForm workbook, as the admin page gives it."""
    survey = survey_or_404(slug)
    version = survey_version(db.session, survey, query_int("version"))
    if version is None:
        abort(404, "The survey has no such version.")
    try:
        data = version_xlsform(version)
    except XLSFormExportError as exc:
        abort(422, str(exc))
    return Response(
        data,
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{survey.slug}-v{version.number}.xlsx"'},
    )


@bp.get("/surveys/<slug>/fhir/responses")
@roles_required("admin", "analyst")
def fhir_responses(slug):
    """The survey's responses as a FHIR Bundle of QuestionnaireResponse, anonymous; audited like every export."""
    survey = survey_or_404(slug)
    in_progress = request.args.get("in_progress") in ("1", "true", "yes")
    count = fhir_service.response_count(db.session, survey, in_progress)
    with write_transaction(db.session) as session:  # nothing is sent unless the export is on record
        record_audit(
            session,
            "results.export",
            target="fhir-responses",
            survey=survey,
            count=count,
            detail="api" + (" with in-progress" if in_progress else ""),
        )
    return Response(stream_with_context(_streamed_bundle(survey.id, in_progress)), mimetype=fhir_service.MEDIA_TYPE)


def _streamed_bundle(survey_id: int, in_progress: bool):
    """The Bundle read while it is sent, in an app context (and session) of its own, as the CSV export does
    (dashboards/export_routes.py says why)."""
    app = current_app._get_current_object()

    def body():
        with app.app_context():
            g.read_only = True
            survey = db.session.get(Survey, survey_id)
            yield from fhir_service.responses_bundle_json(db.session, survey, include_in_progress=in_progress)

    return body()
