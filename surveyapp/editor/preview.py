"""The draft as a respondent sees it (the respondent's page template and the engine's runtime), at desktop
or phone width, and the list of changes between versions.

Nothing is stored: the answers of earlier pages travel with the form, as the fields that posted them,
in one hidden field, and are read again by the engine on every page (so conditions on earlier answers
work as they will for respondents). The same pages serve the editor (signed in, `Place` of the editor) and
shareable preview links (review_routes.py, no account).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import roles_required
from ..extensions import db
from ..i18n import translate
from ..journey.conditions import answers_for_browser, page_blocks
from ..models import SurveyVersion
from ..numbers import query_int
from ..questionnaires import piping, runtime
from ..questionnaires.definition import Questionnaire
from ..questionnaires.languages import languages_of
from ..questionnaires.loader import load_definition_data
from ..questionnaires.messages import N_
from ..services import choice_lists, drafts, editing, preview_as
from ..services.translation_view import (
    MAX_TRANSLATION_LENGTH,
    set_translations,
    translation_rows,
    translation_summaries,
)
from ..services.version_changes import version_changes
from . import bp
from .common import EDITORS, editable_survey_or_404, save, survey_for
from .forms import PreviewAsForm, PreviewForm, TranslationsForm

CARRY_FIELD = "_preview"
AS_FIELD = "_preview_as"  # "preview as": the contact attributes the preview pretends the respondent has
MAX_CARRY = 200_000
_NOT_ANSWERS = {"csrf_token", "_shown", CARRY_FIELD, AS_FIELD}
PHONE_WIDTH = 375  # CSS pixels: a common phone, and the width WCAG's reflow check is close to


@dataclass(frozen=True)
class PreviewWording:
    """What respond/page.html reads of a journey's Wording."""

    drafts: bool = False
    save_note: str = lazy_gettext("This is a preview: answers are not stored.")


@dataclass(frozen=True)
class Place:
    """Where a preview's pages live: the editor's (signed in) or a preview link's (no account)."""

    endpoint: str  # the page endpoint; its start endpoint is the same name without "_page"
    values: dict = field(default_factory=dict)  # URL values besides page_name (slug, or token)
    back_url: str | None = None  # the way out of the preview (the editor), None for a reviewer
    notice: str = N_("Preview of the draft: answers are not stored.")  # English; translated when the page renders
    as_url: str | None = None  # "preview as a contact" (the editor's), None for a reviewer

    @property
    def framed(self) -> bool:
        return request.args.get("frame") == "1"

    def _extra(self) -> dict:
        return {"frame": "1"} if self.framed else {}

    def page_url(self, page_name: str) -> str:
        return url_for(self.endpoint, page_name=page_name, **self.values, **self._extra())

    def start_url(self, width: str | None = None) -> str:
        extra = {"width": width} if width else self._extra()
        return url_for(self.endpoint.removesuffix("_page"), **self.values, **extra)


def allow_framing_if_asked() -> None:
    """A preview page asked for inside the phone-width frame may be framed by this site (security.py)."""
    if request.args.get("frame") == "1":
        g.frame_same_origin = True


def questionnaire_or_problems(survey):
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


def _carried_attributes() -> dict[str, str]:
    """The contact attributes "preview as" gave on an earlier page (none: a respondent without a contact)."""
    text = request.form.get(AS_FIELD, "")
    if not text or len(text) > MAX_CARRY:
        return {}
    try:
        return preview_as.carried(json.loads(text))
    except ValueError:
        return {}


class _Fields(dict):
    """Posted fields as runtime.parse_page reads them (getlist)."""

    def getlist(self, name):
        return list(self.get(name, []))


def _answers_from(
    questionnaire: Questionnaire, fields: dict[str, list[str]], before: str | None, attributes: dict | None = None
) -> dict:
    """The typed answers the carried fields give, page by page up to `before` (errors ignored), with the
    contact attributes of "preview as" (questionnaires/piping.py)."""
    answers: dict = piping.with_contact({}, attributes)
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


def _notice(place: Place, attributes: dict | None) -> str:
    """The preview's notice in the staff member's interface language, with the "preview as" attributes."""
    notice = gettext(place.notice)
    if not attributes:
        return notice
    shown = "; ".join(f"{name}: {value}" for name, value in sorted(attributes.items()))
    return notice + " " + gettext("Previewing as a contact with %(attributes)s.", attributes=shown)


def _render_page(place: Place, questionnaire, page, answers, carry, errors=None, raw=None, attributes=None):
    page = piping.piped_page(page, questionnaire, answers)  # labels and titles show earlier answers
    hidden = {CARRY_FIELD: json.dumps(carry)}
    if attributes:
        hidden[AS_FIELD] = json.dumps(attributes)
    links = [] if place.framed else [{"text": gettext("Start again at phone width"), "href": place.start_url("phone")}]
    if place.as_url and not place.framed:
        links.append(
            {
                "text": gettext("Try it as a contact") if not attributes else gettext("Try it as someone else"),
                "href": place.as_url,
            }
        )
    return render_template(
        "respond/page.html",
        title=gettext("Preview: %(title)s", title=page.title),
        questionnaire=questionnaire,
        page=page,
        blocks=page_blocks(page, answers),
        condition_answers=answers_for_browser(page, answers),
        answers=answers,
        raw=raw or {},
        field_errors={e.name: translate(e.message) for e in (errors or [])},
        errors=[{"text": translate(e.message), "href": f"#{e.field_id}"} for e in (errors or [])],
        back_url=None if place.framed else place.back_url,
        wording=PreviewWording(),
        caption=None,
        action=place.page_url(page.name),
        notice=_notice(place, attributes),
        notice_links=links,
        still_needed=[],
        progress=None,
        hidden_fields=hidden,
    ), 400 if errors else 200


def _render_end(survey, place: Place, questionnaire: Questionnaire, answers: dict):
    rows = [
        (piping.pipe(q.label, questionnaire, answers), runtime.format_answer(q, answers.get(q.name)))
        for page in runtime.visible_pages(questionnaire, answers)
        for q in runtime.visible_questions(page, answers)
        if not q.is_note and q.is_shown  # hidden answers are not shown
    ]
    return render_template(
        "editor/preview_end.html",
        title=gettext("End of the preview of %(title)s", title=survey.title),
        survey=survey,
        rows=rows,
        place=place,
    )


def start_preview(survey, place: Place):
    """The first page of the draft, the phone-width frame (?width=phone), or why it cannot be previewed yet."""
    g.read_only = True
    allow_framing_if_asked()
    if request.args.get("width") == "phone" and not place.framed:
        return render_template(
            "editor/preview_frame.html",
            title=gettext("Preview of %(title)s at phone width", title=survey.title),
            survey=survey,
            place=place,
            frame_url=url_for(place.endpoint.removesuffix("_page"), **place.values, frame="1"),
            phone_width=PHONE_WIDTH,
        )
    questionnaire, problems = questionnaire_or_problems(survey)
    if questionnaire is None:
        return render_template(
            "editor/preview_blocked.html",
            title=gettext("Preview %(title)s", title=survey.title),
            survey=survey,
            problems=problems,
            place=place,
        )
    first = _next_page(questionnaire, {}, None)
    if first is None:
        return _render_end(survey, place, questionnaire, {})
    return redirect(place.page_url(first))


def preview_page_of(survey, place: Place, page_name: str):
    """One page: GET shows it empty; POST checks it with the engine and shows the next page, or the end."""
    g.read_only = True
    allow_framing_if_asked()
    questionnaire, _problems = questionnaire_or_problems(survey)
    if questionnaire is None:
        return redirect(place.start_url())
    try:
        page = questionnaire.page(page_name)
    except KeyError:
        abort(404)
    if request.method == "GET":
        return _render_page(place, questionnaire, page, {}, {})
    form = PreviewForm()
    carry = _carried()
    attributes = _carried_attributes()
    answers = _answers_from(questionnaire, carry, page_name, attributes)
    if not form.validate_on_submit():
        return _render_page(place, questionnaire, page, answers, carry, attributes=attributes)
    shown = set(request.form.getlist("_shown"))
    result = runtime.parse_page(page, request.form, answers)
    errors = [e for e in result.errors if e.name in shown]
    typed = {**answers, **result.values}
    if errors:
        return _render_page(
            place, questionnaire, page, typed, carry, errors=errors, raw=result.raw, attributes=attributes
        )
    own = {q.name for q in page.questions}
    for key in request.form:
        if key not in _NOT_ANSWERS and (key in own or key.rsplit("-", 1)[0] in own):
            carry[key] = request.form.getlist(key)
    answers = _answers_from(questionnaire, carry, None, attributes)
    unseen = [q.name for q in runtime.visible_questions(page, answers) if not q.is_note and q.name not in shown]
    following = page.name if unseen else _next_page(questionnaire, answers, page.name)
    if following is None:
        return _render_end(survey, place, questionnaire, answers)
    return _render_page(place, questionnaire, questionnaire.page(following), answers, carry, attributes=attributes)


def _editor_place(survey) -> Place:
    return Place(
        endpoint="editor.preview_page",
        values={"slug": survey.slug},
        back_url=url_for("editor.overview", slug=survey.slug),
        notice=N_("Preview of the draft: answers are not stored. Go back to the editor with the Back link."),
        as_url=url_for("editor.preview_as_page", slug=survey.slug),
    )


@bp.get("/surveys/<slug>/editor/preview")
@roles_required(*EDITORS)
def preview(slug):
    survey = editable_survey_or_404(slug)
    return start_preview(survey, _editor_place(survey))


@bp.route("/surveys/<slug>/editor/preview/<page_name>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def preview_page(slug, page_name):
    survey = editable_survey_or_404(slug)
    return preview_page_of(survey, _editor_place(survey), page_name)


@bp.route("/surveys/<slug>/editor/preview-as", methods=["GET", "POST"])
@roles_required(*EDITORS)
def preview_as_page(slug):
    """ "Preview as": choose one of the survey's contacts (admins only: contacts are theirs to see) or type
    attribute values; the POST shows the preview's first page as that contact would see it (nothing stored)."""
    g.read_only = True
    survey = editable_survey_or_404(slug)
    place = _editor_place(survey)
    questionnaire, _problems = questionnaire_or_problems(survey)
    if questionnaire is None:
        return redirect(place.start_url())  # the page that lists the draft's problems
    names = preview_as.attribute_names(questionnaire)
    may_pick = current_user.role == "admin"
    contacts = preview_as.survey_contacts(db.session, survey.id) if may_pick else []
    form = PreviewAsForm()
    typed = {name: request.form.get(f"as-{name}", "").strip() for name in names}
    errors = []
    if request.method == "POST":
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                abort(400)
            errors += [{"text": m, "href": "#contact"} for m in form.contact.errors]
        errors += [
            {
                "text": gettext(
                    "The value of %(name)s must be %(max)s characters or fewer", name=name, max=preview_as.MAX_VALUE
                ),
                "href": f"#as-{name}",
            }
            for name, value in typed.items()
            if len(value) > preview_as.MAX_VALUE
        ]
        attributes: dict[str, str] = {}
        if not errors and form.contact.data:
            found = preview_as.contact_attributes(db.session, survey.id, int(form.contact.data)) if may_pick else None
            if found is None:
                errors.append({"text": gettext("Choose one of the survey's contacts"), "href": "#contact"})
            else:
                attributes = preview_as.carried(found)
        if not errors:
            attributes.update({name: value for name, value in typed.items() if value})
            answers = piping.with_contact({}, attributes)
            first = _next_page(questionnaire, answers, None)
            if first is None:
                return _render_end(survey, place, questionnaire, answers)
            return _render_page(place, questionnaire, questionnaire.page(first), answers, {}, attributes=attributes)
    return render_template(
        "editor/preview_as.html",
        title=gettext("Try the preview of %(title)s as a contact", title=survey.title),
        survey=survey,
        form=form,
        names=names,
        contacts=contacts,
        may_pick=may_pick,
        typed=typed,
        errors=errors,
        field_errors={e["href"][1:]: e["text"] for e in errors},
    ), 400 if errors else 200


@bp.get("/surveys/<slug>/editor/changes")
@roles_required(*EDITORS)
def changes(slug):
    """What changed from a version (?from=N, the current one by default) to the draft or to ?to=N."""
    g.read_only = True
    survey = editable_survey_or_404(slug)
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
        title=gettext("Changes to %(title)s", title=survey.title),
        survey=survey,
        changes=version_changes(choice_lists.inlined(old), choice_lists.inlined(new)),
        start=start,
        end=end,
        numbers=sorted(versions),
    )


@bp.route("/surveys/<slug>/editor/translations", methods=["GET", "POST"])
@roles_required(*EDITORS)
def translations(slug):
    """The draft's texts beside their translation into ?lang=CODE, what is missing marked, each translation
    editable (a POST saves them into the draft); without ?lang, the languages with how much each is missing."""
    g.read_only = request.method == "GET"
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    summaries = translation_summaries(choice_lists.inlined(draft))  # shared lists' answers shown per question
    chosen = next((s for s in summaries if s.language.code == request.args.get("lang")), None)
    if request.method == "POST" and not request.args.get("lang"):
        abort(400)  # a save names its language
    if request.args.get("lang") and chosen is None:
        abort(404)
    rows = translation_rows(choice_lists.inlined(draft), chosen.language.code) if chosen else []
    form, errors, typed = TranslationsForm(), [], {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        typed = {n: request.form.get(f"text-{n}", "") for n in range(len(rows))}
        errors = [
            {
                "text": gettext(
                    "%(where)s, %(what)s: %(max)s characters at most",
                    where=rows[n].where,
                    what=rows[n].what,
                    max=f"{MAX_TRANSLATION_LENGTH:,}",
                ),
                "href": f"#text-{n}",
            }
            for n, text in typed.items()
            if len(text) > MAX_TRANSLATION_LENGTH
        ]
        if not errors:
            set_translations(draft, chosen.language.code, {rows[n].path: text for n, text in typed.items()})
            save(
                survey,
                draft,
                gettext("Translations into %(language)s saved in the draft.", language=chosen.language.name),
            )
            return redirect(url_for("editor.translations", slug=survey.slug, lang=chosen.language.code))
    default_code = (draft.get("settings") or {}).get("language") or "en"
    return render_template(
        "editor/translations.html",
        title=gettext("Translations of %(title)s: %(language)s", title=survey.title, language=chosen.language.name)
        if chosen
        else gettext("Translations of %(title)s", title=survey.title),
        survey=survey,
        summaries=summaries,
        chosen=chosen,
        default=languages_of(default_code, {})[0],
        rows=rows,
        form=form,
        errors=errors,
        typed=typed,
    ), 400 if errors else 200
