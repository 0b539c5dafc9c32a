"""The editor's pages for pages and questions: add, edit (with the guided builder), move, duplicate, delete.

Each action applies one change to the draft read again under a lock, saves it and returns to where the
person was; a delete asks first. Names in URLs that are not in the draft answer 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext

from ..auth.access import roles_required
from ..extensions import db
from ..models import Survey
from ..questionnaires import types
from ..services import choice_lists, drafts, editing
from . import bp
from .builder import apply_builder, builder_context, builder_data
from .common import (
    EDITORS,
    anchor,
    back_to,
    earlier_questions,
    form_errors,
    page_or_404,
    render_overview,
    save,
    survey_for,
    type_label,
)
from .forms import ActionForm, AddPageForm, AddQuestionForm, PageForm, QuestionForm

# --- pages ------------------------------------------------------------------------------------


@bp.post("/surveys/<slug>/editor/pages")
@roles_required(*EDITORS)
def page_add(slug):
    survey = survey_for(slug)
    form = AddPageForm()
    if not form.validate_on_submit():
        errors = [{"text": e["text"], "href": "#new-page-title"} for e in form_errors(form)]
        return render_overview(survey, 400, add_page_form=form, errors=errors)
    draft = drafts.draft_of(survey)
    name = editing.add_page(draft, form.title.data)
    save(survey, draft, gettext("Page “%(title)s” added: now add its questions.", title=form.title.data))
    return back_to(survey, anchor("page", name))


@bp.route("/surveys/<slug>/editor/pages/<page_name>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def page_edit(slug, page_name):
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    page = page_or_404(draft, page_name)
    earlier = earlier_questions(draft, page_name)
    form = PageForm(
        data={
            "title": page.get("title", ""),
            "relevant": page.get("relevant", ""),
            **builder_data(page.get("relevant")),
        }
    )
    if form.validate_on_submit() and apply_builder(form, earlier):
        editing.edit_page(draft, page_name, form.title.data, form.relevant.data)
        save(survey, draft, gettext("Page saved."))
        return redirect(url_for("editor.page_edit", slug=survey.slug, page_name=page_name))
    problems = editing.draft_problems(draft).for_page(page_name)
    errors = form_errors(form)
    if not errors:
        errors = [
            {"text": m, "href": "#relevant" if key == "relevant" else "#title"}
            for key, ms in problems.items()
            for m in ms
        ]
    return render_template(
        "editor/page.html",
        title=gettext("Page %(title)s", title=page.get("title", page_name)),
        survey=survey,
        page=page,
        form=form,
        errors=errors,
        problems=problems,
        earlier=earlier,
        builder=builder_context(form, earlier),
    ), 400 if form.errors else 200


@bp.post("/surveys/<slug>/editor/pages/<page_name>/action")
@roles_required(*EDITORS)
def page_action(slug, page_name):
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    page = page_or_404(draft, page_name)
    form = ActionForm()
    action = form.action.data if form.validate_on_submit() else None
    try:
        if action in ("up", "down"):
            editing.move_page(draft, page_name, action)
            message = (
                gettext("Page “%(title)s” moved up.", title=page.get("title"))
                if action == "up"
                else gettext("Page “%(title)s” moved down.", title=page.get("title"))
            )
        elif action == "delete":  # ask first: a page takes its questions with it
            return _confirm_delete(
                survey, gettext("page “%(title)s”", title=page.get("title")), page.get("questions", [])
            )
        elif action == "delete_confirmed":
            editing.delete_page(draft, page_name)
            message = gettext("Page “%(title)s” deleted, with its questions.", title=page.get("title"))
        else:
            flash(gettext("Choose what to do with the page."), "error")
            return back_to(survey, anchor("page", page_name))
    except editing.EditError as exc:
        flash(str(exc), "error")
        return back_to(survey, anchor("page", page_name))
    save(survey, draft, message)
    return back_to(survey, None if action == "delete_confirmed" else anchor("page", page_name))


def _confirm_delete(survey: Survey, what: str, questions: list[dict]):
    """The question before a delete: the same form posts again with delete_confirmed (works without JavaScript)."""
    return render_template(
        "editor/confirm_delete.html",
        title=gettext("Delete the %(what)s?", what=what),
        survey=survey,
        what=what,
        questions=questions,
    )


# --- questions --------------------------------------------------------------------------------


@bp.post("/surveys/<slug>/editor/pages/<page_name>/questions")
@roles_required(*EDITORS)
def question_add(slug, page_name):
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    page_or_404(draft, page_name)
    form = AddQuestionForm()
    if not form.validate_on_submit():
        errors = [{"text": e["text"], "href": f"#add-{page_name}-{e['href'][1:]}"} for e in form_errors(form)]
        return render_overview(survey, 400, add_question_form=form, errors=errors, question_page=page_name)
    name = editing.add_question(draft, page_name, form.qtype.data, form.label.data)
    save(survey, draft, gettext("Question added: set its details here."))
    return redirect(url_for("editor.question_edit", slug=survey.slug, question_name=name))


def _question_or_404(draft: dict, question_name: str) -> tuple[dict, dict]:
    try:
        page, index = editing.find_question(draft, question_name)
    except editing.EditError:
        abort(404)
    return page, page["questions"][index]


def _question_form_data(page: dict, question: dict) -> dict:
    data = {key: question.get(key) for key in editing.QUESTION_KEYS}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    for key, value in data.items():
        if not isinstance(value, (str, bool, list)):
            data[key] = str(value)
    data["choices"] = editing.choice_lines(question.get("choices"))
    data["required"], data["consent"] = bool(question.get("required")), bool(question.get("consent"))
    data["read_only"] = bool(question.get("read_only"))
    data["page"] = page.get("name")
    data["qtype"] = question.get("type")
    return data


def _codes_warning(form, survey: Survey, question_name: str, choices: list[dict]) -> list[str]:
    """The codes answers use that the new choices drop, unless the person ticked to confirm (nothing is saved
    until then: answers keep their old code, so results would count old and new apart)."""
    dropped = drafts.dropped_codes(choices, drafts.codes_in_use(db.session, survey, question_name))
    if not dropped or form.confirm_codes.data:
        return []
    form.confirm_codes.errors = [
        f"Answers already use the code{'s' if len(dropped) > 1 else ''} {', '.join(dropped)}, which the "
        "answers below no longer have: results would count the old and the new code apart. "
        "Keep the codes, or tick to confirm"
    ]
    return dropped


@bp.route("/surveys/<slug>/editor/questions/<question_name>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def question_edit(slug, question_name):
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    page, question = _question_or_404(draft, question_name)
    declared = types.get(question["type"]) if question.get("type") in types.names() else None
    allowed = declared.allowed_keys if declared else frozenset()
    earlier = earlier_questions(draft, page.get("name"), question_name)
    form = QuestionForm(data={**_question_form_data(page, question), **builder_data(question.get("relevant"))})
    codes_warning: list[str] = []
    if form.validate_on_submit() and apply_builder(form, earlier):
        if form.qtype.data and form.qtype.data != question.get("type"):
            # another type takes other keys: save what applies and show the new type's fields
            editing.change_type(draft, question_name, form.qtype.data)
            editing.update_question(draft, question_name, {k: getattr(form, k).data for k in ("label", "hint")})
            save(
                survey,
                draft,
                gettext("The question is now: %(type)s. Check its settings.", type=type_label(form.qtype.data)),
            )
            return redirect(url_for("editor.question_edit", slug=survey.slug, question_name=question_name))
        values = {key: getattr(form, key).data for key in editing.QUESTION_KEYS if key in allowed}
        if choice_lists.list_of(question) is not None:
            values.pop("choices", None)  # a shared list's answers are edited on its own page, once
        if "choices" in values:
            values["choices"] = editing.parse_choice_lines(form.choices.data or "")
            codes_warning = _codes_warning(form, survey, question_name, values["choices"])
        if not codes_warning:
            editing.update_question(draft, question_name, values)
            target = form.page.data
            if target and target != page.get("name"):
                try:
                    editing.move_question_to_page(draft, question_name, target)
                except editing.EditError as exc:
                    form.page.errors = [str(exc)]
            if not form.page.errors:
                save(survey, draft, gettext("Question saved."))
                return redirect(url_for("editor.question_edit", slug=survey.slug, question_name=question_name))
    problems = editing.draft_problems(draft).for_question(question_name)
    errors = form_errors(form)
    if not errors:
        errors = [
            {"text": m, "href": f"#{key}" if key in allowed and key != "name" else "#label"}
            for key, messages in problems.items()
            for m in messages
        ]
    return render_template(
        "editor/question.html",
        title=gettext("Question %(label)s", label=question.get("label", question_name)),
        survey=survey,
        page=page,
        question=question,
        declared=declared,
        allowed=allowed,
        form=form,
        errors=errors,
        problems=problems,
        pages=editing.pages(draft),
        earlier=earlier,
        builder=builder_context(form, earlier),
        codes_warning=codes_warning,
        type_names=types.names(),
        shared_list=choice_lists.list_of(question),
        shared_choices=choice_lists.resolved(draft, question),
        shared_list_names=list(choice_lists.lists(draft)),
    ), 400 if form.errors else 200


@bp.post("/surveys/<slug>/editor/questions/<question_name>/action")
@roles_required(*EDITORS)
def question_action(slug, question_name):
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    _page, question = _question_or_404(draft, question_name)
    form = ActionForm()
    action = form.action.data if form.validate_on_submit() else None
    label = question.get("label", question_name)
    place = anchor("question", question_name)
    try:
        if action in ("up", "down"):
            editing.move_question(draft, question_name, action)
            message = (
                gettext("“%(label)s” moved up.", label=label)
                if action == "up"
                else gettext("“%(label)s” moved down.", label=label)
            )
        elif action == "duplicate":
            place = anchor("question", editing.duplicate_question(draft, question_name))
            message = gettext("“%(label)s” duplicated: the copy is below it.", label=label)
        elif action == "delete":
            return _confirm_delete(survey, gettext("question “%(label)s”", label=label), [])
        elif action == "delete_confirmed":
            editing.delete_question(draft, question_name)
            place, message = None, gettext("“%(label)s” deleted.", label=label)
        else:
            flash(gettext("Choose what to do with the question."), "error")
            return back_to(survey, place)
    except editing.EditError as exc:
        flash(str(exc), "error")
        return back_to(survey, place)
    save(survey, draft, message)
    return back_to(survey, place)
