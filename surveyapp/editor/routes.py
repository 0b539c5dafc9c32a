"""The editor's pages for a whole survey: create one, the draft's overview, details and settings, publish,
discard, the draft's YAML, and the check of a condition as it is typed.

Views are thin: they read a form, call services.editing on a copy of the draft, save it and redirect
back to where the person was (post, save, redirect; every action is a plain form, so it works without
JavaScript). A draft is saved even when it does not validate; the validator's problems are shown beside
the fields and in the error summary, and only a valid draft can be published.
"""

from __future__ import annotations

import io
import re

from flask import flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..audit import record_audit
from ..auth.access import roles_required
from ..extensions import db
from ..i18n import translate
from ..models import Survey
from ..questionnaires import expressions
from ..services import drafts, editing
from . import bp
from .common import (
    EDITORS,
    TYPE_LABELS,
    back_to,
    editable_survey_or_404,
    form_errors,
    render_overview,
    save,
    survey_for,
)
from .forms import ActionForm, CreateSurveyForm, DetailsForm

# --- creating a survey ------------------------------------------------------------------------


def _slug_from(title: str, taken) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:60].strip("-") or "survey"
    slug, n = base, 2
    while taken(slug):
        slug = f"{base}-{n}"
        n += 1
    return slug


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Survey.id).where(Survey.slug == slug)) is not None


@bp.route("/new-survey", methods=["GET", "POST"])
@roles_required("admin")
def create():
    form = CreateSurveyForm()
    if form.validate_on_submit():
        slug = form.slug.data or _slug_from(form.title.data, _slug_taken)
        if _slug_taken(slug):
            form.slug.errors.append(
                gettext("A survey with the short name '%(slug)s' already exists: choose another", slug=slug)
            )
        else:
            survey = drafts.create_survey(db.session, slug, form.title.data, form.start.data)
            record_audit(
                db.session, "survey_created", target=slug, detail=f"in the editor from {form.start.data}", survey=survey
            )
            db.session.commit()
            flash(
                gettext("“%(title)s” is created as a draft. Add its questions, then publish it.", title=survey.title),
                "success",
            )
            return back_to(survey)
    if not form.start.data:
        form.start.data = "blank"
    status = 400 if form.errors else 200
    return render_template(
        "editor/create.html", title=gettext("Create a survey"), form=form, errors=form_errors(form), labels=TYPE_LABELS
    ), status


#: the respondent-side wording the details page edits (settings of the definition, plain text)
WORDING_KEYS = ("start_text", "thank_you_text", "run_by", "contact", "privacy_url")

# --- the overview ---------------------------------------------------------------------------


@bp.get("/surveys/<slug>/editor")
@roles_required(*EDITORS)
def overview(slug):
    g.read_only = True
    return render_overview(editable_survey_or_404(slug))


@bp.route("/surveys/<slug>/editor/details", methods=["GET", "POST"])
@roles_required(*EDITORS)
def details(slug):
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    settings = draft.get("settings") or {}
    form = DetailsForm(
        data={
            "title": draft.get("title", ""),
            "description": draft.get("description", ""),
            "interview": bool(settings.get("interview")),
            "public_link": bool(settings.get("public_link")),
            "answers_copy": bool(settings.get("answers_copy")),
            **{
                k: "" if settings.get(k) is None else str(settings[k])
                for k in ("reminder_max", "reminder_interval_days", "closes_on", "organisation", *WORDING_KEYS)
            },
        }
    )
    if form.validate_on_submit():
        editing.set_details(draft, form.title.data, form.description.data)
        editing.set_settings(
            draft,
            {
                "interview": True if form.interview.data else None,
                "public_link": True if form.public_link.data else None,
                "answers_copy": True if form.answers_copy.data else None,
                "reminder_max": editing.typed_value("reminder_max", form.reminder_max.data or "", ""),
                "reminder_interval_days": editing.typed_value(
                    "reminder_interval_days", form.reminder_interval_days.data or "", ""
                ),
                "closes_on": form.closes_on.data,
                "organisation": form.organisation.data,
                **{key: getattr(form, key).data for key in WORDING_KEYS},
            },
        )
        save(survey, draft, gettext("Details saved."))
        return redirect(url_for("editor.details", slug=survey.slug))
    problems = editing.draft_problems(draft)
    errors = form_errors(form) or [{"text": translate(text), "href": "#title"} for text in problems.general]
    return render_template(
        "editor/details.html",
        title=gettext("Details of %(title)s", title=survey.title),
        survey=survey,
        form=form,
        errors=errors,
        general=problems.general,
    ), 400 if form.errors else 200


# --- publish, discard, download -----------------------------------------------------------------


def publish_outcome(result) -> str:
    number = result.version.number
    if not result.created_version:
        return gettext("Published: version %(number)s replaced, as no one had answered it yet.", number=number)
    if number == 1:
        return gettext("Published: version 1. Open the survey when you are ready for answers.")
    return gettext(
        "Published: version %(number)s. New respondents get it; earlier answers stay with version %(previous)s.",
        number=number,
        previous=number - 1,
    )


@bp.post("/surveys/<slug>/editor/publish")
@roles_required(*EDITORS)
def publish(slug):
    survey = survey_for(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_overview(survey, 400, errors=form_errors(form))
    try:
        result = drafts.publish_draft(db.session, survey)
    except drafts.NotPublishable as exc:
        db.session.rollback()
        flash(
            gettext(
                "Not published: the draft has %(count)s problem(s) to fix first, listed below.", count=len(exc.problems)
            ),
            "error",
        )
        return back_to(survey)
    record_audit(
        db.session,
        "survey_published",
        target=survey.slug,
        detail=f"version {result.version.number} from the editor by {current_user.email} ({current_user.role})",
        survey=survey,
    )
    db.session.commit()
    flash(publish_outcome(result), "success")
    if current_user.role != "admin":  # an analyst allowed on the survey has the editor, not the admin pages
        return back_to(survey)
    return redirect(url_for("admin.survey", slug=survey.slug))


@bp.post("/surveys/<slug>/editor/discard")
@roles_required(*EDITORS)
def discard(slug):
    survey = survey_for(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_overview(survey, 400, errors=form_errors(form))
    if survey.current_version is None:
        flash(gettext("A survey that was never published keeps its draft: there is nothing to go back to."), "error")
        return back_to(survey)
    drafts.discard_draft(survey)
    record_audit(db.session, "survey_draft_discarded", target=survey.slug, survey=survey)
    db.session.commit()
    flash(
        gettext("Draft discarded: the editor shows version %(number)s again.", number=survey.current_version.number),
        "success",
    )
    return back_to(survey)


@bp.get("/surveys/<slug>/editor/check")
@roles_required(*EDITORS)
def check_condition(slug):
    """The problems of a condition as it is being typed (?page=P or ?question=Q, key=relevant|constraint,
    expression=...), as JSON for static/js/editor-conditions.js; saving checks it the same way."""
    g.read_only = True
    survey = editable_survey_or_404(slug)
    text = request.args.get("expression", "")
    if len(text) > expressions.MAX_LENGTH:
        return jsonify(
            problems=[gettext("The expression is longer than %(max)s characters", max=expressions.MAX_LENGTH)]
        )
    try:
        problems = editing.condition_problems(
            drafts.draft_of(survey),
            text,
            page=request.args.get("page"),
            question=request.args.get("question"),
            key=request.args.get("key", "relevant"),
        )
    except editing.EditError as exc:
        return jsonify(problems=[str(exc)]), 400
    return jsonify(problems=[translate(p) for p in problems])


@bp.get("/surveys/<slug>/editor/draft.yaml")
@roles_required(*EDITORS)
def draft_download(slug):
    """The draft as a definition file, for the importer or the CLI (it may not validate yet)."""
    g.read_only = True
    survey = survey_for(slug)
    text = editing.definition_yaml(drafts.draft_of(survey))
    return send_file(
        io.BytesIO(text.encode("utf-8")),
        mimetype="text/plain; charset=utf-8",
        as_attachment=True,
        download_name=f"{survey.slug}-draft.yaml",
        max_age=0,
    )
