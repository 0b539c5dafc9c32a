"""What the editor's views share: type names in words, error lists, the draft's overview, finding pages and
questions in a draft (404 for names that are not there), saving and going back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from ..auth.access import require_survey_editor
from ..extensions import db
from ..i18n import translate
from ..models import Survey
from ..questionnaires import types
from ..services import choice_lists, drafts, editing
from . import bp
from .forms import ActionForm, AddPageForm, AddQuestionForm

TYPE_LABELS = {
    "single_choice": lazy_gettext("One answer from a list"),
    "multiple_choice": lazy_gettext("Several answers from a list"),
    "likert": lazy_gettext("Agreement scale (strongly agree to strongly disagree)"),
    "rating": lazy_gettext("Rating scale (numbers)"),
    "short_text": lazy_gettext("Short text"),
    "long_text": lazy_gettext("Long text"),
    "integer": lazy_gettext("Whole number"),
    "decimal": lazy_gettext("Number"),
    "date": lazy_gettext("Date"),
    "time": lazy_gettext("Time of day (like 14:30)"),
    "datetime": lazy_gettext("Date and time"),
    "rank": lazy_gettext("Put options in order (ranking)"),
    "hidden": lazy_gettext("Hidden value (not shown; its default is stored)"),
    "yes_no": lazy_gettext("Yes or no"),
    "note": lazy_gettext("Text to read (no answer)"),
}


def type_label(name: str) -> str:
    return str(TYPE_LABELS.get(name, name.replace("_", " ").capitalize()))


@bp.app_template_global("editor_type_label")
def _type_label(name: str) -> str:
    return type_label(name)


def form_errors(form) -> list[dict]:
    return [
        {"text": message, "href": f"#{name}" if name != "csrf_token" else "#main-content"}
        for name, messages in form.errors.items()
        for message in messages
    ]


def anchor(kind: str, name: str) -> str:
    return f"{kind}-{name}"


def problem_links(survey: Survey, problems: editing.DraftProblems) -> list[dict]:
    """The error summary: each problem linked to the page or question it concerns."""
    links = []
    for problem in problems.all:
        question = editing.QUESTION_WHERE.match(problem.where)
        page = editing.PAGE_WHERE.match(problem.where)
        if question:
            href = url_for("editor.question_edit", slug=survey.slug, question_name=question.group("question"))
        elif page:
            href = url_for("editor.overview", slug=survey.slug) + "#" + anchor("page", page.group("page"))
        else:
            href = url_for("editor.details", slug=survey.slug)
        links.append({"text": translate(problem), "href": href})
    return links


# Who reaches the editor's survey pages at all; editable_survey_or_404 then checks the survey itself.
EDITORS = ("admin", "analyst")


def editable_survey_or_404(slug: str) -> Survey:
    """The survey with this slug if the signed-in person may edit it (admins; analysts an admin allowed on
    it): else 404 or 403. Every editor view finds its survey here, so none can forget the check."""
    return require_survey_editor(db.first_or_404(select(Survey).where(Survey.slug == slug)))


def survey_for(slug: str) -> Survey:
    """The survey (authorised by editable_survey_or_404); for a POST, its draft read again under a lock."""
    survey = editable_survey_or_404(slug)
    if request.method == "POST":
        drafts.lock_draft(db.session, survey)
    return survey


def back_to(survey: Survey, anchor: str | None = None):
    return redirect(url_for("editor.overview", slug=survey.slug) + (f"#{anchor}" if anchor else ""))


def save(survey: Survey, draft: dict, message: str | None = None) -> None:
    drafts.save_draft(survey, draft)
    db.session.commit()
    if message:
        flash(message, "success")


def render_overview(
    survey: Survey, status: int = 200, add_question_form=None, add_page_form=None, errors=None, question_page=None
):
    draft = drafts.draft_of(survey)
    problems = editing.draft_problems(draft)
    return render_template(
        "editor/overview.html",
        title=gettext("Edit %(title)s", title=survey.title),
        survey=survey,
        draft=draft,
        problems=problems,
        problem_links=problem_links(survey, problems),
        errors=errors or [],
        type_names=types.names(),
        add_question_form=add_question_form or AddQuestionForm(formdata=None),
        question_page=question_page,  # the page whose "add a question" form was posted with errors
        blank_question_form=AddQuestionForm(formdata=None),
        add_page_form=add_page_form or AddPageForm(formdata=None),
        action_form=ActionForm(formdata=None),
    ), status


def page_or_404(draft: dict, page_name: str) -> dict:
    try:
        return editing.find_page(draft, page_name)
    except editing.EditError:
        abort(404)


def earlier_questions(draft: dict, page_name: str, question_name: str | None = None) -> list[dict]:
    """Questions a condition may use: those before the page (or before the question), notes left out."""
    earlier = []
    for page in editing.pages(draft):
        if page.get("name") == page_name and question_name is None:
            break
        for question in page.get("questions", []):
            if question.get("name") == question_name:
                return earlier
            if question.get("type") != "note":
                if choice_lists.list_of(question) is not None:  # the answers of its shared list, to show
                    question = {**question, "choices": choice_lists.resolved(draft, question)}
                earlier.append(question)
    return earlier
