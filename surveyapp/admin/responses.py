"""Responses of a survey for admins (who, how and when; never answers here), and voiding.

A voided response is kept, with who voided it, when and why, and is left out of
results (queries filter on `voided_at IS NULL`).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import record_audit
from ..auth.access import require_survey_access, roles_required
from ..extensions import db
from ..models import Response, Survey, User, utcnow
from ..web import survey_or_404
from . import bp
from .forms import VoidForm, form_errors

MAX_REASON = 1000


class VoidError(ValueError):
    pass


def void_response(session: Session, response: Response, by: User, reason: str) -> None:
    """Void a response (kept, excluded from results) and audit it, in the caller's transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise VoidError(gettext("Enter the reason for voiding this response"))
    if len(reason) > MAX_REASON:
        raise VoidError(gettext("The reason must be %(max)s characters or fewer", max=MAX_REASON))
    if response.voided_at is not None:
        raise VoidError(gettext("This response has been voided already"))
    response.voided_at, response.voided_by_id, response.void_reason = utcnow(), by.id, reason
    record_audit(
        session,
        "response_voided",
        target=f"response {response.id}",
        detail=reason,
        survey=session.get(Survey, response.survey_id),
    )


@bp.get("/surveys/<slug>/responses")
@roles_required("admin")
def responses(slug):
    survey = require_survey_access(survey_or_404(slug))
    rows = db.session.execute(
        select(Response, User.email)
        .outerjoin(User, User.id == Response.volunteer_id)
        .where(Response.survey_id == survey.id)
        .order_by(Response.started_at.desc(), Response.id.desc())
        .limit(1000)
    ).all()
    return render_template(
        "admin/responses.html", title=gettext("Responses: %(survey)s", survey=survey.title), survey=survey, rows=rows
    )


@bp.post("/responses/<id:response_id>/void")
@roles_required("admin")
def void(response_id):
    response = db.get_or_404(Response, response_id)
    # Authorised by the response's own survey, not by anything in the URL.
    survey = require_survey_access(db.session.get(Survey, response.survey_id))
    form = VoidForm()
    if not form.validate_on_submit():
        for error in form_errors(form):
            flash(str(error["text"]), "error")
        return redirect(url_for("admin.responses", slug=survey.slug))
    try:
        void_response(db.session, response, current_user, form.reason.data)
    except VoidError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(gettext("Response %(id)s voided: it is kept but left out of results.", id=response_id), "success")
    return redirect(url_for("admin.responses", slug=survey.slug))
