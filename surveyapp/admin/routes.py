"""Admin pages: the survey list, open and close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from ..audit import record_audit
from ..auth.access import can_access_survey, editable_survey_ids, roles_required
from ..extensions import db
from ..models import Invitation, Response, ResponseStatus, Survey, SurveyStatus
from ..services.surveys import SurveyStatusError, set_status
from ..web import survey_or_404
from . import bp
from .forms import SurveyStatusForm, form_errors


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
            .where(
                Response.survey_id.in_(ids),
                Response.status == ResponseStatus.COMPLETED,
                Response.voided_at.is_(None),
            )
            .group_by(Response.survey_id)
        ).all()
    )
    return render_template(
        "admin/index.html",
        title=gettext("Surveys"),
        surveys=surveys,
        invited=invited,
        completed=completed,
        editable=editable_survey_ids(current_user),
    )


@bp.post("/surveys/<slug>/status/<any(open,closed):status>")
@roles_required("admin")
def change_status(slug, status):
    survey = survey_or_404(slug)
    form = SurveyStatusForm()
    if not form.validate_on_submit():
        abort(400, "; ".join(e["text"] for e in form_errors(form)))
    back = url_for("admin.survey", slug=survey.slug) if form.back.data == "survey" else url_for("admin.index")
    try:
        set_status(db.session, survey, status)
    except SurveyStatusError as exc:
        flash(str(exc), "error")
        return redirect(back)
    record_audit(
        db.session,
        "survey_opened" if status == SurveyStatus.OPEN else "survey_closed",
        target=survey.slug,
        survey=survey,
    )
    db.session.commit()
    if status == SurveyStatus.OPEN:
        flash(gettext("“%(survey)s” is now open.", survey=survey.title), "success")
    else:
        flash(gettext("“%(survey)s” is now closed.", survey=survey.title), "success")
    return redirect(back)
