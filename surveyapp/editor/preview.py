"""The draft as a respondent sees it (the respondent's page template and the engine's runtime), and the
list of changes between versions.

Nothing is stored: the answers of earlier pages travel with the form, as the fields that posted them,
in one hidden field, and are read again by the engine on every page (so conditions on earlier answers
work as they will for respondents).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from ..auth.access import roles_required
from ..extensions import db
from ..journey.conditions import answers_for_browser, page_blocks
from ..models import SurveyVersion
from ..numbers import query_int
from ..questionnaires import runtime
from ..questionnaires.definition import Questionnaire
from ..questionnaires.loader import load_definition_data
from ..services import drafts, editing
from ..services.version_changes import version_changes
from ..web import survey_or_404
from . import bp
from .forms import PreviewForm

CARRY_FIELD = "_preview"
MAX_CARRY = 200_000
_NOT_ANSWERS = {"csrf_token", "_shown", CARRY_FIELD}


@dataclass(frozen=True)
class PreviewWording:
    """What respond/page.html reads of a journey's Wording."""

    drafts: bool = False
    save_note: str = "This is a preview: answers are not stored."


def _questionnaire_or_problems(survey):
    draft = drafts.draft_of(survey)
    problems = editing.draft_problems(draft)
    if problems:
        return None, problems
    return load_definition_data(draft), None


def _carried() -> dict[str, list[str]]:
    """The fields posted on earlier preview pages; anything malformed is dropped (it is only a preview)."""
    text = request.form.get(CARRY_FIELD, "")
    if not text or len(text) > MAX_CARRY:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): [v for v in values if isinstance(v, str)] for k, values in data.items() if isinstance(values, list)}


class _Fields(dict):
    """Posted fields as runtime.parse_page reads them (getlist)."""

    def getlist(self, name):
        return list(self.get(name, []))


def _answers_from(questionnaire: Questionnaire, fields: dict[str, list[str]], before: str | None) -> dict:
    """The typed answers the carried fields give, page by page up to `before` (errors ignored)."""
    answers: dict = {}
    form = _Fields(fields)
    for page in questionnaire.pages:
        if page.name == before:
            break
        if runtime.is_page_visible(page, answers):
            result = runtime.parse_page(page, form, answers)
            answers.update({k: v for k, v in result.values.items() if v is not None})
    return runtime.prune_hidden(questionnaire, answers)


def _next_page(questionnaire: Questionnaire, answers: dict, current: str | None) -> str | None:
    names = [p.name for p in questionnaire.pages]
    start = names.index(current) + 1 if current in names else 0
    for page in questionnaire.pages[start:]:
        if runtime.is_page_visible(page, answers) and runtime.visible_questions(page, answers):
            return page.name
    return None


def _render_page(survey, questionnaire, page, answers, carry, errors=None, raw=None):
    return render_template(
        "respond/page.html",
        title=f"Preview: {page.title}",
        questionnaire=questionnaire,
        page=page,
        blocks=page_blocks(page, answers),
        condition_answers=answers_for_browser(page, answers),
        answers=answers,
        raw=raw or {},
        field_errors={e.name: e.message for e in (errors or [])},
        errors=[{"text": e.message, "href": f"#{e.field_id}"} for e in (errors or [])],
        back_url=url_for("editor.overview", slug=survey.slug),
        wording=PreviewWording(),
        caption=None,
        action=url_for("editor.preview_page", slug=survey.slug, page_name=page.name),
        notice="Preview of the draft: answers are not stored. Go back to the editor with the Back link.",
        still_needed=[],
        progress=None,
        hidden_fields={CARRY_FIELD: json.dumps(carry)},
    ), 400 if errors else 200


@bp.get("/surveys/<slug>/editor/preview")
@roles_required("admin")
def preview(slug):
    """The first page of the draft, or why it cannot be previewed yet."""
    g.read_only = True
    survey = survey_or_404(slug)
    questionnaire, problems = _questionnaire_or_problems(survey)
    if questionnaire is None:
        return render_template(
            "editor/preview_blocked.html", title=f"Preview {survey.title}", survey=survey, problems=problems
        )
    first = _next_page(questionnaire, {}, None)
    if first is None:
        return _render_end(survey, questionnaire, {})
    return redirect(url_for("editor.preview_page", slug=survey.slug, page_name=first))


@bp.route("/surveys/<slug>/editor/preview/<page_name>", methods=["GET", "POST"])
@roles_required("admin")
def preview_page(slug, page_name):
    g.read_only = True
    survey = survey_or_404(slug)
    questionnaire, _problems = _questionnaire_or_problems(survey)
    if questionnaire is None:
        return redirect(url_for("editor.preview", slug=survey.slug))
    try:
        page = questionnaire.page(page_name)
    except KeyError:
        abort(404)
    if request.method == "GET":
        return _render_page(survey, questionnaire, page, {}, {})
    form = PreviewForm()
    carry = _carried()
    answers = _answers_from(questionnaire, carry, page_name)
    if not form.validate_on_submit():
        return _render_page(survey, questionnaire, page, answers, carry)
    shown = set(request.form.getlist("_shown"))
    result = runtime.parse_page(page, request.form, answers)
    errors = [e for e in result.errors if e.name in shown]
    typed = {**answers, **result.values}
    if errors:
        return _render_page(survey, questionnaire, page, typed, carry, errors=errors, raw=result.raw)
    own = {q.name for q in page.questions}
    for key in request.form:
        if key not in _NOT_ANSWERS and (key in own or key.rsplit("-", 1)[0] in own):
            carry[key] = request.form.getlist(key)
    answers = _answers_from(questionnaire, carry, None)
    unseen = [q.name for q in runtime.visible_questions(page, answers) if not q.is_note and q.name not in shown]
    following = page.name if unseen else _next_page(questionnaire, answers, page.name)
    if following is None:
        return _render_end(survey, questionnaire, answers)
    return _render_page(survey, questionnaire, questionnaire.page(following), answers, carry)


def _render_end(survey, questionnaire: Questionnaire, answers: dict):
    rows = [
        (q.label, runtime.format_answer(q, answers.get(q.name)))
        for page in runtime.visible_pages(questionnaire, answers)
        for q in runtime.visible_questions(page, answers)
        if not q.is_note
    ]
    return render_template(
        "editor/preview_end.html", title=f"End of the preview of {survey.title}", survey=survey, rows=rows
    )


@bp.get("/surveys/<slug>/editor/changes")
@roles_required("admin")
def changes(slug):
    """What changed from a version (?from=N, the current one by default) to the draft or to ?to=N."""
    g.read_only = True
    survey = survey_or_404(slug)
    versions = {
        v.number: v for v in db.session.scalars(select(SurveyVersion).where(SurveyVersion.survey_id == survey.id))
    }
    start, end = query_int("from"), query_int("to")
    if start is None and survey.current_version is not None:
        start = survey.current_version.number
    if start is not None and start not in versions or end is not None and end not in versions:
        abort(404)
    old = versions[start].definition if start is not None else {}
    new = versions[end].definition if end is not None else drafts.draft_of(survey)
    return render_template(
        "editor/changes.html",
        title=f"Changes to {survey.title}",
        survey=survey,
        changes=version_changes(old, new),
        start=start,
        end=end,
        numbers=sorted(versions),
    )
