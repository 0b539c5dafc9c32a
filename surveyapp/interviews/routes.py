"""Views of interview mode: the respondents' page engine (respond/journey.py and its
templates) with an InterviewNav, plus the consent stop and the volunteer's list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import can_access_survey, roles_required
from ..extensions import db
from ..journey import flow as journey
from ..journey.pages import render_page
from ..models import Survey
from ..questionnaires import runtime
from ..respond.access import survey_state
from . import bp
from .service import (
    assigned_surveys,
    decline_interview,
    declined_counts,
    interview_for,
    interviews_of,
    participant_code_problem,
    refuses_consent,
    start_interview,
)


class InterviewNav:
    """The URLs the journey templates need, for one interview (same methods as respond's Nav)."""

    save_note = (
        "The answers are saved each time you continue. You can stop and resume this interview "
        "later from your list of interviews."
    )

    def __init__(self, response_id: int):
        self.response_id = response_id

    def start(self) -> str:
        return url_for("interviews.resume", response_id=self.response_id)

    begin = start

    def page(self, name: str, change: bool = False) -> str:
        if name == journey.CHECK_PAGE:
            return self.check()
        return url_for(
            "interviews.page", response_id=self.response_id, page_name=name, **({"change": 1} if change else {})
        )

    def check(self) -> str:
        return url_for("interviews.check", response_id=self.response_id)

    def submit(self) -> str:
        return url_for("interviews.submit", response_id=self.response_id)


def _survey_for_volunteer(slug: str) -> Survey:
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == slug))
    if survey is None or not can_access_survey(current_user, survey):
        abort(404)
    return survey


def _closed(survey: Survey):
    state = survey_state(survey)
    if state == "open":
        return None
    return render_template(
        "respond/closed.html",
        title="This survey is closed" if state == "closed" else "This survey is not open yet",
        survey=survey,
        state=state,
    )


def _interview(response_id: int):
    """(response, survey, questionnaire, answers), or a response to return instead."""
    response = interview_for(db.session, current_user, response_id)
    if response is None:
        abort(404)
    survey = db.session.get(Survey, response.survey_id)
    if response.status == "completed" or response.voided_at is not None:
        flash("That interview has been submitted, so it cannot be changed.", "info")
        return None, redirect(url_for("interviews.index"))
    closed = _closed(survey)
    if closed is not None:
        return None, closed
    questionnaire = journey.questionnaire_of(response.version)
    answers = journey.load_answers(db.session, response, questionnaire)
    return (response, survey, questionnaire, answers), None


@bp.get("/")
@roles_required("volunteer")
def index():
    return render_template(
        "interviews/index.html",
        title="Interviews",
        surveys=[s for s in assigned_surveys(db.session, current_user)],
        interviews=interviews_of(db.session, current_user),
        declined=declined_counts(db.session, current_user),
        titles={s.id: s.title for s in db.session.scalars(db.select(Survey))},
    )


@bp.route("/new/<slug>", methods=["GET", "POST"])
@roles_required("volunteer")
def new(slug):
    survey = _survey_for_volunteer(slug)
    closed = _closed(survey)
    if closed is not None:
        return closed
    questionnaire = journey.questionnaire_of(survey.current_version)
    code = (request.form.get("participant_code") or "").strip() if request.method == "POST" else ""
    problem = participant_code_problem(code) if request.method == "POST" else None
    if request.method == "GET" or problem:
        return render_template(
            "interviews/new.html",
            title=f"New interview: {questionnaire.title}",
            survey=survey,
            questionnaire=questionnaire,
            code=code,
            problem=problem,
            errors=[{"text": problem, "href": "#participant_code"}] if problem else None,
        )
    response = start_interview(db.session, survey, current_user, code)
    answers = journey.load_answers(db.session, response, questionnaire)
    response.current_page = journey.first_page_name(questionnaire, answers)
    db.session.commit()
    return redirect(InterviewNav(response.id).page(response.current_page))


@bp.get("/<id:response_id>")
@roles_required("volunteer")
def resume(response_id):
    context, early = _interview(response_id)
    if early is not None:
        return early
    response = context[0]
    return redirect(InterviewNav(response.id).page(response.current_page or journey.CHECK_PAGE))


@bp.route("/<id:response_id>/page/<page_name>", methods=["GET", "POST"])
@roles_required("volunteer")
def page(response_id, page_name):
    context, early = _interview(response_id)
    if early is not None:
        return early
    response, survey, questionnaire, answers = context
    try:
        page_def = questionnaire.page(page_name)
    except KeyError:
        abort(404)
    nav = InterviewNav(response.id)
    if page_name not in journey.page_names(questionnaire, answers):
        return redirect(nav.page(journey.next_page_name(questionnaire, answers, page_name)))
    changing = request.args.get("change") == "1"
    if request.method == "GET":
        return _render_page(questionnaire, page_def, answers, nav, changing)

    shown = set(request.form.getlist("_shown"))
    result = runtime.parse_page(page_def, request.form, answers)
    visible_now = [
        q.name for q in runtime.visible_questions(page_def, {**answers, **result.values}) if q.type != "note"
    ]
    unseen = [n for n in visible_now if n not in shown]
    errors = [e for e in result.errors if e.name in shown]
    if errors:
        return _render_page(
            questionnaire, page_def, {**answers, **result.values}, nav, changing, errors=errors, raw=result.raw
        )
    if refuses_consent(page_def, result.values):
        decline_interview(db.session, response)
        db.session.commit()
        return redirect(url_for("interviews.declined", slug=survey.slug))
    answers = journey.save_answers(
        db.session, response, questionnaire, result.values, [q.name for q in page_def.questions]
    )
    if unseen:
        response.current_page = page_name
        db.session.commit()
        return _render_page(
            questionnaire,
            page_def,
            answers,
            nav,
            changing,
            notice="More questions have been added to this page because of the answers.",
        )
    target = journey.CHECK_PAGE if changing else journey.next_page_name(questionnaire, answers, page_name)
    response.current_page = target
    db.session.commit()
    return redirect(nav.page(target))


def _render_page(questionnaire, page_def, answers, nav, changing, errors=None, raw=None, notice=None):
    return render_page(
        questionnaire,
        page_def,
        answers,
        nav,
        changing,
        errors=errors,
        raw=raw,
        notice=notice,
        back_when_first=url_for("interviews.index"),
    )


@bp.get("/<id:response_id>/check")
@roles_required("volunteer")
def check(response_id):
    context, early = _interview(response_id)
    if early is not None:
        return early
    response, survey, questionnaire, answers = context
    nav = InterviewNav(response.id)
    previous = journey.previous_page_name(questionnaire, answers, journey.CHECK_PAGE)
    return render_template(
        "respond/check.html",
        title="Check the answers before submitting",
        questionnaire=questionnaire,
        sections=journey.summary_rows(questionnaire, answers),
        nav=nav,
        back_url=nav.page(previous) if previous else None,
    )


@bp.post("/<id:response_id>/submit")
@roles_required("volunteer")
def submit(response_id):
    context, early = _interview(response_id)
    if early is not None:
        return early
    response, survey, questionnaire, answers = context
    nav = InterviewNav(response.id)
    incomplete = journey.first_incomplete_page(questionnaire, answers)
    if incomplete is not None:
        # Something required is still unanswered: show that page with its errors (as for respondents).
        page_name, errors = incomplete
        response.current_page = page_name
        db.session.commit()
        return _render_page(questionnaire, questionnaire.page(page_name), answers, nav, False, errors=errors)
    journey.mark_completed(db.session, response)
    db.session.commit()
    return render_template("interviews/done.html", title="Interview submitted", survey=survey, response=response)


@bp.get("/declined/<slug>")
@roles_required("volunteer")
def declined(slug):
    survey = _survey_for_volunteer(slug)
    return render_template("interviews/declined.html", title="Interview stopped", survey=survey)
