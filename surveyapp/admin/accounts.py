"""Admin pages for accounts: list, create, deactivate/reactivate, assign volunteers to interview surveys, and
allow analysts to edit surveys in the questionnaire editor."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..audit import record_audit
from ..auth.access import roles_required
from ..extensions import db
from ..models import ROLES, Survey, User
from ..services.users import (
    UserError,
    create_user,
    deactivate_user,
    editor_survey_ids,
    reactivate_user,
    set_assignments,
    set_editor_surveys,
)
from ..templating import role_name
from . import bp
from .forms import ActionForm, AssignmentsForm, EditorSurveysForm, UserForm, form_errors


@bp.get("/users")
@roles_required("admin")
def users():
    people = list(db.session.scalars(select(User).order_by(User.role, User.email)))
    titles = {s.id: s.title for s in db.session.scalars(select(Survey))}
    editing = {p.id: sorted(editor_survey_ids(db.session, p)) for p in people if p.role == "analyst"}
    return render_template("admin/users.html", title=gettext("Users"), people=people, titles=titles, editing=editing)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_create():
    form = UserForm(role="volunteer")
    errors = []
    if form.is_submitted():
        if not form.validate():
            errors = form_errors(form)
        else:
            try:
                user = create_user(db.session, form.email.data, form.role.data, form.password.data or "")
            except UserError as exc:
                errors.append({"text": str(exc), "href": f"#{exc.field}"})
            else:
                record_audit(db.session, "user_created", target=user.email, detail=f"role={user.role}")
                db.session.commit()
                flash(
                    gettext(
                        "Account created for %(email)s (%(role)s). Give them the password by a separate, secure route.",
                        email=user.email,
                        role=role_name(user.role),
                    ),
                    "success",
                )
                return redirect(url_for("admin.users"))
        db.session.rollback()
    values = {"email": form.email.data or "", "role": form.role.data if form.role.data in ROLES else ""}
    return render_template(
        "admin/user_new.html", title=gettext("New account"), values=values, roles=ROLES, errors=errors
    )


@bp.post("/users/<id:user_id>/deactivate")
@roles_required("admin")
def user_deactivate(user_id):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(gettext("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"))
    if deactivate_user(db.session, user):
        record_audit(db.session, "user_deactivated", target=user.email)
    db.session.commit()
    flash(gettext("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/reactivate")
@roles_required("admin")
def user_reactivate(user_id):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if reactivate_user(db.session, user):
        record_audit(db.session, "user_reactivated", target=user.email)
    db.session.commit()
    flash(gettext("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/assignments", methods=["GET", "POST"])
@roles_required("admin")
def user_assignments(user_id):
    user = db.get_or_404(User, user_id)
    if user.role != "volunteer":
        flash(gettext("Only volunteers are assigned to interview surveys."), "error")
        return redirect(url_for("admin.users"))
    surveys = list(db.session.scalars(select(Survey).where(Survey.is_interview.is_(True)).order_by(Survey.title)))
    form = AssignmentsForm()
    form.survey.choices = [(s.id, s.title) for s in surveys]
    if form.is_submitted():
        if not form.validate():
            abort(400, "; ".join(e["text"] for e in form_errors(form)))
        try:
            added, removed = set_assignments(db.session, user, set(form.survey.data or []))
        except UserError:
            db.session.rollback()
            abort(400)
        titles = {s.id: s.slug for s in surveys}
        for survey_id in added:
            record_audit(
                db.session,
                "volunteer_assigned",
                target=user.email,
                detail=titles[survey_id],
                survey=db.session.get(Survey, survey_id),
            )
        for survey_id in removed:
            record_audit(
                db.session,
                "volunteer_unassigned",
                target=user.email,
                detail=titles.get(survey_id),
                survey=db.session.get(Survey, survey_id),
            )
        db.session.commit()
        flash(gettext("Interview surveys for %(email)s saved.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    assigned = {a.survey_id for a in user.assignments}
    return render_template(
        "admin/user_assignments.html",
        title=gettext("Interview surveys for %(email)s", email=user.email),
        person=user,
        surveys=surveys,
        assigned=assigned,
    )


@bp.route("/users/<id:user_id>/editor-surveys", methods=["GET", "POST"])
@roles_required("admin")
def user_editor_surveys(user_id):
    """The surveys an analyst may change in the questionnaire editor (each allow and removal audited)."""
    user = db.get_or_404(User, user_id)
    if user.role != "analyst":
        flash(gettext("Only analysts are allowed on surveys in the editor: admins may edit every survey."), "error")
        return redirect(url_for("admin.users"))
    surveys = list(db.session.scalars(select(Survey).order_by(Survey.title)))
    form = EditorSurveysForm()
    form.survey.choices = [(s.id, s.title) for s in surveys]
    if form.is_submitted():
        if not form.validate():
            abort(400, "; ".join(e["text"] for e in form_errors(form)))
        try:
            added, removed = set_editor_surveys(db.session, user, set(form.survey.data or []))
        except UserError:
            db.session.rollback()
            abort(400)
        by_id = {s.id: s for s in surveys}
        for action, ids in (("survey_editor_allowed", added), ("survey_editor_removed", removed)):
            for survey_id in sorted(ids):
                record_audit(
                    db.session, action, target=user.email, detail=by_id[survey_id].slug, survey=by_id[survey_id]
                )
        db.session.commit()
        flash(gettext("Surveys %(email)s may edit saved.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_editor_surveys.html",
        title=gettext("Surveys %(email)s may edit", email=user.email),
        person=user,
        surveys=surveys,
        allowed=editor_survey_ids(db.session, user),
    )
