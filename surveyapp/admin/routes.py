"""Admin pages: the survey list, open and close."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..audit import record_audit
from ..auth.access import can_access_survey, roles_required
from ..extensions import db
from ..models import Invitation, Response, Survey
from . import bp
from .surveys import get_survey, set_status


@bp.get("/")
@roles_required("admin", "analyst", "volunteer")
def index():
    surveys = [
        s for s in db.session.scalars(select(Survey).order_by(Survey.slug)) if can_access_survey(current_user, s)
    ]
    ids = [s.id for s in surveys]
    invited = dict(
        db.session.execute(
            select(Invitation.survey_id, func.count())
            .where(Invitation.survey_id.in_(ids))
            .group_by(Invitation.survey_id)
        ).all()
    )
    completed = dict(
        db.session.execute(
            select(Response.survey_id, func.count())
            .where(Response.survey_id.in_(ids), Response.status == "completed", Response.voided_at.is_(None))
            .group_by(Response.survey_id)
        ).all()
    )
    return render_template("admin/index.html", title="Surveys", surveys=surveys, invited=invited, completed=completed)


@bp.post("/surveys/<slug>/status/<any(open,closed):status>")
@roles_required("admin")
def change_status(slug, status):
    survey = get_survey(db.session, slug)
    try:
        set_status(db.session, survey, status)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(_back(survey))
    record_audit(db.session, f"survey_{'opened' if status == 'open' else 'closed'}", target=survey.slug, survey=survey)
    db.session.commit()
    flash(f"“{survey.title}” is now {status}.", "success")
    return redirect(_back(survey))


def _back(survey):
    # The survey's own page sends back=survey so the admin stays there; the list is the default.
    return url_for("admin.survey", slug=survey.slug) if request.form.get("back") == "survey" else url_for("admin.index")
