"""Views of the respondent's journey: thin, post-save-redirect; the work is in journey.py."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from ..extensions import db
from ..journey import flow as journey
from ..journey.pages import render_page
from ..models import utcnow
from ..questionnaires import runtime
from ..services.invitations import record_event
from . import bp
from .access import Respondent, note_link_opened, refuse_if_guessing, resolve, start_response, survey_state

KIND = "<any(s,p):kind>/<key>"


@bp.before_request
def _throttle_link_guessing():
    # Before any lookup, so an address past the limit learns nothing more, not even about valid links.
    refuse_if_guessing(db.session)


class Nav:
    """The URLs a journey template needs, so interviews can reuse the same templates."""

    def __init__(self, kind: str, key: str):
        self.kind, self.key = kind, key

    def start(self) -> str:
        return url_for("respond.start", kind=self.kind, key=self.key)

    def begin(self) -> str:
        return url_for("respond.begin", kind=self.kind, key=self.key)

    def page(self, name: str, change: bool = False) -> str:
        if name == journey.CHECK_PAGE:
            return self.check()
        return url_for(
            "respond.page", kind=self.kind, key=self.key, page_name=name, **({"change": 1} if change else {})
        )

    def check(self) -> str:
        return url_for("respond.check", kind=self.kind, key=self.key)

    def submit(self) -> str:
        return url_for("respond.submit", kind=self.kind, key=self.key)


def _gate(respondent: Respondent):
    """The page to show instead of the journey when it cannot go on, or None."""
    if respondent.response is not None and respondent.response.status == "completed":
        return render_template(
            "respond/completed.html", title="You have already completed this survey", survey=respondent.survey
        )
    state = survey_state(respondent.survey)
    if state != "open":
        return render_template(
            "respond/closed.html",
            title="This survey is closed" if state == "closed" else "This survey is not open yet",
            survey=respondent.survey,
            state=state,
        )
    return None


@bp.get(f"/{KIND}")
def start(kind, key):
    respondent = resolve(db.session, kind, key)
    note_link_opened(db.session, respondent)
    db.session.commit()
    blocked = _gate(respondent)
    if blocked is not None:
        return blocked
    nav = Nav(kind, key)
    if respondent.response is not None:
        # Resume where they left off.
        return redirect(
            nav.page(respondent.response.current_page or journey.CHECK_PAGE)
            if respondent.response.current_page
            else nav.check()
        )
    questionnaire = journey.questionnaire_of(respondent.survey.current_version)
    return render_template("respond/start.html", title=questionnaire.title, questionnaire=questionnaire, nav=nav)


@bp.post(f"/{KIND}/start")
def begin(kind, key):
    respondent = resolve(db.session, kind, key)
    blocked = _gate(respondent)
    if blocked is not None:
        return blocked
    response = start_response(db.session, respondent)
    questionnaire = journey.questionnaire_of(response.version)
    answers = journey.load_answers(db.session, response, questionnaire)
    if response.current_page is None:
        response.current_page = journey.first_page_name(questionnaire, answers)
    target = response.current_page
    db.session.commit()
    return redirect(Nav(kind, key).page(target))


def _journey_context(kind, key):
    respondent = resolve(db.session, kind, key)
    blocked = _gate(respondent)
    if blocked is not None:
        return respondent, None, None, blocked
    if respondent.response is None:
        return respondent, None, None, redirect(Nav(kind, key).start())
    questionnaire = journey.questionnaire_of(respondent.response.version)
    answers = journey.load_answers(db.session, respondent.response, questionnaire)
    return respondent, questionnaire, answers, None


@bp.route(f"/{KIND}/page/<page_name>", methods=["GET", "POST"])
def page(kind, key, page_name):
    respondent, questionnaire, answers, early = _journey_context(kind, key)
    if early is not None:
        return early
    try:
        page_def = questionnaire.page(page_name)
    except KeyError:
        abort(404)
    nav = Nav(kind, key)
    if page_name not in journey.page_names(questionnaire, answers):
        return redirect(nav.page(journey.next_page_name(questionnaire, answers, page_name)))
    changing = request.args.get("change") == "1"
    shown = set(request.form.getlist("_shown")) if request.method == "POST" else set()
    if request.method == "GET":
        return render_page(questionnaire, page_def, answers, nav, changing)

    result = runtime.parse_page(page_def, request.form, answers)
    visible_now = [
        q.name for q in runtime.visible_questions(page_def, {**answers, **result.values}) if q.type != "note"
    ]
    unseen = [n for n in visible_now if n not in shown]
    errors = [e for e in result.errors if e.name in shown]
    if errors:
        return render_page(
            questionnaire, page_def, {**answers, **result.values}, nav, changing, errors=errors, raw=result.raw
        )
    page_question_names = [q.name for q in page_def.questions]
    answers = journey.save_answers(db.session, respondent.response, questionnaire, result.values, page_question_names)
    if unseen:
        # Answers on this page revealed more questions: show them before moving on (works without JavaScript).
        respondent.response.current_page = page_name
        db.session.commit()
        return render_page(
            questionnaire,
            page_def,
            answers,
            nav,
            changing,
            notice="More questions have been added to this page because of your answers.",
        )
    target = journey.CHECK_PAGE if changing else journey.next_page_name(questionnaire, answers, page_name)
    respondent.response.current_page = target
    db.session.commit()
    return redirect(nav.page(target))


@bp.get(f"/{KIND}/check")
def check(kind, key):
    respondent, questionnaire, answers, early = _journey_context(kind, key)
    if early is not None:
        return early
    nav = Nav(kind, key)
    previous = journey.previous_page_name(questionnaire, answers, journey.CHECK_PAGE)
    return render_template(
        "respond/check.html",
        title="Check your answers before submitting",
        questionnaire=questionnaire,
        sections=journey.summary_rows(questionnaire, answers),
        nav=nav,
        back_url=nav.page(previous) if previous else None,
    )


@bp.post(f"/{KIND}/submit")
def submit(kind, key):
    respondent, questionnaire, answers, early = _journey_context(kind, key)
    if early is not None:
        return early
    nav = Nav(kind, key)
    incomplete = journey.first_incomplete_page(questionnaire, answers)
    if incomplete is not None:
        # Something required is still unanswered: show that page with its errors.
        page_name, errors = incomplete
        respondent.response.current_page = page_name
        db.session.commit()
        return render_page(questionnaire, questionnaire.page(page_name), answers, nav, False, errors=errors)
    if not journey.mark_completed(db.session, respondent.response):
        # Another submit (double click, second tab) got there first.
        db.session.commit()
        return _gate(respondent)
    if respondent.invitation is not None:
        respondent.invitation.completed_at = utcnow()
        record_event(db.session, respondent.invitation, "completed")
    db.session.commit()
    return render_template(
        "respond/done.html", title="Thank you: your answers have been sent", survey=respondent.survey
    )
