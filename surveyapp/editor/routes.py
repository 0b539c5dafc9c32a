"""The editor's pages: create a survey, its draft's overview, details, pages, questions, publish, discard.

Views are thin: they read a form, call services.editing on a copy of the draft, save it and redirect
back to where the person was (post, save, redirect; every action is a plain form, so it works without
JavaScript). A draft is saved even when it does not validate; the validator's problems are shown beside
the fields and in the error summary, and only a valid draft can be published.
"""

from __future__ import annotations

import io
import re

from flask import abort, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from ..audit import record_audit
from ..auth.access import roles_required
from ..extensions import db
from ..models import Survey
from ..questionnaires import expressions, types
from ..services import editing
from ..services.condition_builder import COMPARISONS, JOINS, BuilderError, Rule, build_expression, read_expression
from ..web import survey_or_404
from . import bp
from .forms import (
    BUILDER_ROWS,
    ActionForm,
    AddPageForm,
    AddQuestionForm,
    CreateSurveyForm,
    DetailsForm,
    PageForm,
    QuestionForm,
)

TYPE_LABELS = {
    "single_choice": "One answer from a list",
    "multiple_choice": "Several answers from a list",
    "likert": "Agreement scale (strongly agree to strongly disagree)",
    "rating": "Rating scale (numbers)",
    "short_text": "Short text",
    "long_text": "Long text",
    "integer": "Whole number",
    "decimal": "Number",
    "date": "Date",
    "yes_no": "Yes or no",
    "note": "Text to read (no answer)",
}


def type_label(name: str) -> str:
    return TYPE_LABELS.get(name, name.replace("_", " ").capitalize())


@bp.app_template_global("editor_type_label")
def _type_label(name: str) -> str:
    return type_label(name)


def form_errors(form) -> list[dict]:
    return [
        {"text": message, "href": f"#{name}" if name != "csrf_token" else "#main-content"}
        for name, messages in form.errors.items()
        for message in messages
    ]


def _anchor(kind: str, name: str) -> str:
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
            href = url_for("editor.overview", slug=survey.slug) + "#" + _anchor("page", page.group("page"))
        else:
            href = url_for("editor.details", slug=survey.slug)
        links.append({"text": str(problem), "href": href})
    return links


def _survey_for(slug: str) -> Survey:
    """The survey (authorised by web.survey_or_404); for a POST, its draft read again under a lock."""
    survey = survey_or_404(slug)
    if request.method == "POST":
        editing.lock_draft(db.session, survey)
    return survey


def _back_to(survey: Survey, anchor: str | None = None):
    return redirect(url_for("editor.overview", slug=survey.slug) + (f"#{anchor}" if anchor else ""))


def _save(survey: Survey, draft: dict, message: str | None = None) -> None:
    editing.save_draft(survey, draft)
    db.session.commit()
    if message:
        flash(message, "success")


# --- the guided condition builder ---------------------------------------------------------------


def _builder_data(relevant: str | None) -> dict:
    """The builder's rows for a condition it can read back (none for one typed by hand)."""
    read = read_expression(relevant or "")
    if read is None:
        return {}
    rules, join = read
    data = {"rule_join": join}
    for n, rule in enumerate(rules[:BUILDER_ROWS], start=1):
        data.update({f"rule_question_{n}": rule.question, f"rule_comparison_{n}": rule.comparison})
        data[f"rule_value_{n}"] = rule.value
    return data


def _numeric(question: dict) -> bool:
    declared = types.get(question["type"]) if question.get("type") in types.names() else None
    return declared is not None and declared.storage is not None and declared.storage.is_number


def _apply_builder(form, earlier: list[dict]) -> bool:
    """When the builder's button was pressed, write its rules into the condition box; False when a rule is wrong
    (its row then says why, and nothing is saved)."""
    if form.build.data != "rules":
        return True
    names = {q.get("name") for q in earlier}
    rules, ok = [], True
    for n in range(1, BUILDER_ROWS + 1):
        question = getattr(form, f"rule_question_{n}")
        if not question.data:
            continue
        if question.data not in names:
            question.errors = [f"Choose a question that comes before this one (rule {n})"]
            ok = False
            continue
        rule = Rule(
            question.data,
            getattr(form, f"rule_comparison_{n}").data or "=",
            getattr(form, f"rule_value_{n}").data or "",
        )
        try:
            build_expression([rule])
        except BuilderError as exc:
            getattr(form, f"rule_value_{n}").errors = [f"{exc} (rule {n})"]
            ok = False
            continue
        rules.append(rule)
    if ok:
        numeric = frozenset(q["name"] for q in earlier if _numeric(q))
        form.relevant.data = build_expression(rules, form.rule_join.data or "and", numeric)
    return ok


def _builder_context(form, earlier: list[dict]) -> dict:
    return {
        "rows": range(1, BUILDER_ROWS + 1),
        "comparisons": COMPARISONS,
        "joins": JOINS,
        "hand_typed": bool(form.relevant.data) and read_expression(form.relevant.data or "") is None,
        "earlier": earlier,
    }


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
            form.slug.errors.append(f"A survey with the short name '{slug}' already exists: choose another")
        else:
            survey = editing.create_survey(db.session, slug, form.title.data, form.start.data)
            record_audit(
                db.session, "survey_created", target=slug, detail=f"in the editor from {form.start.data}", survey=survey
            )
            db.session.commit()
            flash(f"“{survey.title}” is created as a draft. Add its questions, then publish it.", "success")
            return _back_to(survey)
    if not form.start.data:
        form.start.data = "blank"
    status = 400 if form.errors else 200
    return render_template(
        "editor/create.html", title="Create a survey", form=form, errors=form_errors(form), labels=TYPE_LABELS
    ), status


# --- the overview -----------------------------------------------------------------------------


def _overview(
    survey: Survey, status: int = 200, add_question_form=None, add_page_form=None, errors=None, question_page=None
):
    draft = editing.draft_of(survey)
    problems = editing.draft_problems(draft)
    return render_template(
        "editor/overview.html",
        title=f"Edit {survey.title}",
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


@bp.get("/surveys/<slug>/editor")
@roles_required("admin")
def overview(slug):
    g.read_only = True
    return _overview(survey_or_404(slug))


@bp.route("/surveys/<slug>/editor/details", methods=["GET", "POST"])
@roles_required("admin")
def details(slug):
    survey = _survey_for(slug)
    draft = editing.draft_of(survey)
    settings = draft.get("settings") or {}
    form = DetailsForm(
        data={
            "title": draft.get("title", ""),
            "description": draft.get("description", ""),
            "interview": bool(settings.get("interview")),
            "public_link": bool(settings.get("public_link")),
            **{
                k: "" if settings.get(k) is None else str(settings[k])
                for k in ("reminder_max", "reminder_interval_days", "closes_on", "organisation")
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
                "reminder_max": editing.typed_value("reminder_max", form.reminder_max.data or "", ""),
                "reminder_interval_days": editing.typed_value(
                    "reminder_interval_days", form.reminder_interval_days.data or "", ""
                ),
                "closes_on": form.closes_on.data,
                "organisation": form.organisation.data,
            },
        )
        _save(survey, draft, "Details saved.")
        return redirect(url_for("editor.details", slug=survey.slug))
    problems = editing.draft_problems(draft)
    errors = form_errors(form) or [{"text": text, "href": "#title"} for text in problems.general]
    return render_template(
        "editor/details.html",
        title=f"Details of {survey.title}",
        survey=survey,
        form=form,
        errors=errors,
        general=problems.general,
    ), 400 if form.errors else 200


# --- pages ------------------------------------------------------------------------------------


@bp.post("/surveys/<slug>/editor/pages")
@roles_required("admin")
def page_add(slug):
    survey = _survey_for(slug)
    form = AddPageForm()
    if not form.validate_on_submit():
        errors = [{"text": e["text"], "href": "#new-page-title"} for e in form_errors(form)]
        return _overview(survey, 400, add_page_form=form, errors=errors)
    draft = editing.draft_of(survey)
    name = editing.add_page(draft, form.title.data)
    _save(survey, draft, f"Page “{form.title.data}” added: now add its questions.")
    return _back_to(survey, _anchor("page", name))


def _page_or_404(draft: dict, page_name: str) -> dict:
    try:
        return editing.find_page(draft, page_name)
    except editing.EditError:
        abort(404)


@bp.route("/surveys/<slug>/editor/pages/<page_name>", methods=["GET", "POST"])
@roles_required("admin")
def page_edit(slug, page_name):
    survey = _survey_for(slug)
    draft = editing.draft_of(survey)
    page = _page_or_404(draft, page_name)
    earlier = _earlier_questions(draft, page_name)
    form = PageForm(
        data={
            "title": page.get("title", ""),
            "relevant": page.get("relevant", ""),
            **_builder_data(page.get("relevant")),
        }
    )
    if form.validate_on_submit() and _apply_builder(form, earlier):
        editing.edit_page(draft, page_name, form.title.data, form.relevant.data)
        _save(survey, draft, "Page saved.")
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
        title=f"Page {page.get('title', page_name)}",
        survey=survey,
        page=page,
        form=form,
        errors=errors,
        problems=problems,
        earlier=earlier,
        builder=_builder_context(form, earlier),
    ), 400 if form.errors else 200


def _earlier_questions(draft: dict, page_name: str, question_name: str | None = None) -> list[dict]:
    """Questions a condition may use: those before the page (or before the question), notes left out."""
    earlier = []
    for page in editing.pages(draft):
        if page.get("name") == page_name and question_name is None:
            break
        for question in page.get("questions", []):
            if question.get("name") == question_name:
                return earlier
            if question.get("type") != "note":
                earlier.append(question)
    return earlier


@bp.post("/surveys/<slug>/editor/pages/<page_name>/action")
@roles_required("admin")
def page_action(slug, page_name):
    survey = _survey_for(slug)
    draft = editing.draft_of(survey)
    page = _page_or_404(draft, page_name)
    form = ActionForm()
    action = form.action.data if form.validate_on_submit() else None
    try:
        if action in ("up", "down"):
            editing.move_page(draft, page_name, action)
            message = f"Page “{page.get('title')}” moved {action}."
        elif action == "delete":  # ask first: a page takes its questions with it
            return _confirm_delete(survey, f"page “{page.get('title')}”", page.get("questions", []))
        elif action == "delete_confirmed":
            editing.delete_page(draft, page_name)
            message = f"Page “{page.get('title')}” deleted, with its questions."
        else:
            flash("Choose what to do with the page.", "error")
            return _back_to(survey, _anchor("page", page_name))
    except editing.EditError as exc:
        flash(str(exc), "error")
        return _back_to(survey, _anchor("page", page_name))
    _save(survey, draft, message)
    return _back_to(survey, None if action == "delete_confirmed" else _anchor("page", page_name))


def _confirm_delete(survey: Survey, what: str, questions: list[dict]):
    """The question before a delete: the same form posts again with delete_confirmed (works without JavaScript)."""
    return render_template(
        "editor/confirm_delete.html", title=f"Delete the {what}?", survey=survey, what=what, questions=questions
    )


# --- questions --------------------------------------------------------------------------------


@bp.post("/surveys/<slug>/editor/pages/<page_name>/questions")
@roles_required("admin")
def question_add(slug, page_name):
    survey = _survey_for(slug)
    draft = editing.draft_of(survey)
    _page_or_404(draft, page_name)
    form = AddQuestionForm()
    if not form.validate_on_submit():
        errors = [{"text": e["text"], "href": f"#add-{page_name}-{e['href'][1:]}"} for e in form_errors(form)]
        return _overview(survey, 400, add_question_form=form, errors=errors, question_page=page_name)
    name = editing.add_question(draft, page_name, form.qtype.data, form.label.data)
    _save(survey, draft, "Question added: set its details here.")
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
    data["page"] = page.get("name")
    data["qtype"] = question.get("type")
    return data


def _codes_warning(form, survey: Survey, question_name: str, choices: list[dict]) -> list[str]:
    """The codes answers use that the new choices drop, unless the person ticked to confirm (nothing is saved
    until then: answers keep their old code, so results would count old and new apart)."""
    dropped = editing.dropped_codes(choices, editing.codes_in_use(db.session, survey, question_name))
    if not dropped or form.confirm_codes.data:
        return []
    form.confirm_codes.errors = [
        f"Answers already use the code{'s' if len(dropped) > 1 else ''} {', '.join(dropped)}, which the "
        "answers below no longer have: results would count the old and the new code apart. "
        "Keep the codes, or tick to confirm"
    ]
    return dropped


@bp.route("/surveys/<slug>/editor/questions/<question_name>", methods=["GET", "POST"])
@roles_required("admin")
def question_edit(slug, question_name):
    survey = _survey_for(slug)
    draft = editing.draft_of(survey)
    page, question = _question_or_404(draft, question_name)
    declared = types.get(question["type"]) if question.get("type") in types.names() else None
    allowed = declared.allowed_keys if declared else frozenset()
    earlier = _earlier_questions(draft, page.get("name"), question_name)
    form = QuestionForm(data={**_question_form_data(page, question), **_builder_data(question.get("relevant"))})
    codes_warning: list[str] = []
    if form.validate_on_submit() and _apply_builder(form, earlier):
        if form.qtype.data and form.qtype.data != question.get("type"):
            # another type takes other keys: save what applies and show the new type's fields
            editing.change_type(draft, question_name, form.qtype.data)
            editing.update_question(draft, question_name, {k: getattr(form, k).data for k in ("label", "hint")})
            _save(survey, draft, f"The question is now: {type_label(form.qtype.data)}. Check its settings.")
            return redirect(url_for("editor.question_edit", slug=survey.slug, question_name=question_name))
        values = {key: getattr(form, key).data for key in editing.QUESTION_KEYS if key in allowed}
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
                _save(survey, draft, "Question saved.")
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
        title=f"Question {question.get('label', question_name)}",
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
        builder=_builder_context(form, earlier),
        codes_warning=codes_warning,
        type_names=types.names(),
    ), 400 if form.errors else 200


@bp.post("/surveys/<slug>/editor/questions/<question_name>/action")
@roles_required("admin")
def question_action(slug, question_name):
    survey = _survey_for(slug)
    draft = editing.draft_of(survey)
    _page, question = _question_or_404(draft, question_name)
    form = ActionForm()
    action = form.action.data if form.validate_on_submit() else None
    label = question.get("label", question_name)
    anchor = _anchor("question", question_name)
    try:
        if action in ("up", "down"):
            editing.move_question(draft, question_name, action)
            message = f"“{label}” moved {action}."
        elif action == "duplicate":
            anchor = _anchor("question", editing.duplicate_question(draft, question_name))
            message = f"“{label}” duplicated: the copy is below it."
        elif action == "delete":
            return _confirm_delete(survey, f"question “{label}”", [])
        elif action == "delete_confirmed":
            editing.delete_question(draft, question_name)
            anchor, message = None, f"“{label}” deleted."
        else:
            flash("Choose what to do with the question.", "error")
            return _back_to(survey, anchor)
    except editing.EditError as exc:
        flash(str(exc), "error")
        return _back_to(survey, anchor)
    _save(survey, draft, message)
    return _back_to(survey, anchor)


# --- publish, discard, download -----------------------------------------------------------------


def publish_outcome(result) -> str:
    number = result.version.number
    if not result.created_version:
        return f"Published: version {number} replaced, as no one had answered it yet."
    if number == 1:
        return "Published: version 1. Open the survey when you are ready for answers."
    return f"Published: version {number}. New respondents get it; earlier answers stay with version {number - 1}."


@bp.post("/surveys/<slug>/editor/publish")
@roles_required("admin")
def publish(slug):
    survey = _survey_for(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        return _overview(survey, 400, errors=form_errors(form))
    try:
        result = editing.publish_draft(db.session, survey)
    except editing.NotPublishable as exc:
        db.session.rollback()
        flash(f"Not published: the draft has {len(exc.problems)} problem(s) to fix first, listed below.", "error")
        return _back_to(survey)
    record_audit(
        db.session,
        "survey_published",
        target=survey.slug,
        detail=f"version {result.version.number} from the editor",
        survey=survey,
    )
    db.session.commit()
    flash(publish_outcome(result), "success")
    return redirect(url_for("admin.survey", slug=survey.slug))


@bp.post("/surveys/<slug>/editor/discard")
@roles_required("admin")
def discard(slug):
    survey = _survey_for(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        return _overview(survey, 400, errors=form_errors(form))
    if survey.current_version is None:
        flash("A survey that was never published keeps its draft: there is nothing to go back to.", "error")
        return _back_to(survey)
    editing.discard_draft(survey)
    record_audit(db.session, "survey_draft_discarded", target=survey.slug, survey=survey)
    db.session.commit()
    flash(f"Draft discarded: the editor shows version {survey.current_version.number} again.", "success")
    return _back_to(survey)


@bp.get("/surveys/<slug>/editor/check")
@roles_required("admin")
def check_condition(slug):
    """The problems of a condition as it is being typed (?page=P or ?question=Q, key=relevant|constraint,
    expression=...), as JSON for static/js/editor-conditions.js; saving checks it the same way."""
    g.read_only = True
    survey = survey_or_404(slug)
    text = request.args.get("expression", "")
    if len(text) > expressions.MAX_LENGTH:
        return jsonify(problems=[f"The expression is longer than {expressions.MAX_LENGTH} characters"])
    try:
        problems = editing.condition_problems(
            editing.draft_of(survey),
            text,
            page=request.args.get("page"),
            question=request.args.get("question"),
            key=request.args.get("key", "relevant"),
        )
    except editing.EditError as exc:
        return jsonify(problems=[str(exc)]), 400
    return jsonify(problems=problems)


@bp.get("/surveys/<slug>/editor/draft.yaml")
@roles_required("admin")
def draft_download(slug):
    """The draft as a definition file, for the importer or the CLI (it may not validate yet)."""
    g.read_only = True
    survey = _survey_for(slug)
    text = editing.definition_yaml(editing.draft_of(survey))
    return send_file(
        io.BytesIO(text.encode("utf-8")),
        mimetype="text/plain; charset=utf-8",
        as_attachment=True,
        download_name=f"{survey.slug}-draft.yaml",
        max_age=0,
    )
