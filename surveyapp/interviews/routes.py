"""Views of interview mode: who may enter (the signed-in volunteer who owns the interview), its URLs
and wording; the steps themselves are the journey controller's (journey/controller.py), shared with
respondents. Plus the consent stop and the volunteer's list."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..auth.access import can_access_survey, roles_required
from ..database import commit_keeping, write_transaction
from ..extensions import db
from ..journey import flow
from ..journey.controller import INTERVIEWER, Journey, render
from ..journey.forms import require_button
from ..models import Survey
from ..models.enums import ResponseStatus
from ..services.surveys import survey_state
from . import bp
from .forms import NewInterviewForm
from .service import (
    answers_at_stake,
    assigned_surveys,
    decline_interview,
    declined_counts,
    interview_for,
    interviews_of,
    refuses_consent,
    start_interview,
)


@bp.teardown_request
def _forget_transaction_flags(_exc):
    for name in ("read_only", "read_first", "writing"):
        g.pop(name, None)


def _read_first() -> None:
    """After sign-in was checked (which may touch the session row): reads without the write lock."""
    commit_keeping(db.session)
    g.read_only = request.method in ("GET", "HEAD")
    g.read_first = True


class InterviewNav:
    """The URLs of one interview."""

    def __init__(self, response_id: int):
        self.response_id = response_id
        self.back_when_first = url_for("interviews.index")

    def start(self) -> str:
        return url_for("interviews.resume", response_id=self.response_id)

    begin = start

    def page(self, name: str, change: bool = False) -> str:
        if name == flow.CHECK_PAGE:
            return self.check()
        return url_for(
            "interviews.page", response_id=self.response_id, page_name=name, **({"change": 1} if change else {})
        )

    def check(self) -> str:
        return url_for("interviews.check", response_id=self.response_id)

    def submit(self) -> str:
        return url_for("interviews.submit", response_id=self.response_id)

    def done(self) -> str:
        return url_for("interviews.done", response_id=self.response_id)


def _survey_for_volunteer(slug: str) -> Survey:
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == slug))
    if survey is None or not can_access_survey(current_user, survey):
        abort(404)
    return survey


def _closed(survey: Survey):
    state = survey_state(survey)
    if state == "open":
        return None
    return render(
        db.session,
        "respond/closed.html",
        title=gettext("This survey is closed") if state == "closed" else gettext("This survey is not open yet"),
        survey=survey,
        state=state,
    )


def _submitted():
    flash(gettext("That interview has been submitted, so it cannot be changed."), "info")
    return redirect(url_for("interviews.index"))


def _caption(response) -> str:
    if response.participant_code:
        return gettext("Participant code: %(code)s", code=response.participant_code)
    return gettext("Participant code: none")


def _journey(response, survey) -> Journey:
    questionnaire = flow.questionnaire_for_version(db.session, response.version_id, response.language)
    journey: Journey

    def on_page_values(page_def, values):
        if not refuses_consent(page_def, values):
            return None
        at_stake = answers_at_stake(questionnaire, journey.answers)
        if at_stake:
            # The person changed their mind during the interview: confirm before discarding answers.
            return render(
                db.session,
                "interviews/withdraw.html",
                title=gettext("Stop the interview and delete the answers?"),
                survey=survey,
                response=response,
                at_stake=at_stake,
                caption=_caption(response),
                back_url=journey.nav.page(page_def.name),
            )
        with write_transaction(db.session):
            decline_interview(db.session, response)
        return redirect(url_for("interviews.declined", slug=survey.slug))

    journey = Journey(
        db.session,
        response,
        questionnaire,
        InterviewNav(response.id),
        INTERVIEWER,
        title=survey.title,
        caption=_caption(response),
        on_page_values=on_page_values,
        already_completed=_submitted,
    )
    return journey


def _interview(response_id: int, completed_too: bool = False):
    """(journey, None) for the volunteer's own draft on an open survey, else (None, what to answer instead).

    `completed_too`: a completed interview enters as well (submit sends it to the completion page).
    """
    _read_first()
    response = interview_for(db.session, current_user, response_id)
    if response is None:
        abort(404)
    survey = db.session.get(Survey, response.survey_id)
    if completed_too and response.status == ResponseStatus.COMPLETED and response.voided_at is None:
        return _journey(response, survey), None
    if response.status == ResponseStatus.COMPLETED or response.voided_at is not None:
        return None, _submitted()
    closed = _closed(survey)
    if closed is not None:
        return None, closed
    return _journey(response, survey), None


@bp.get("/")
@roles_required("volunteer")
def index():
    return render_template(
        "interviews/index.html",
        title=gettext("Interviews"),
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
    questionnaire = flow.questionnaire_for_version(db.session, survey.current_version_id)
    form = NewInterviewForm()
    submitted = form.validate_on_submit()
    code = form.participant_code.data or ""
    problem = form.participant_code.errors[0] if form.participant_code.errors else None
    languages = questionnaire.languages()
    chosen = form.language.data or questionnaire.default_language
    language_problem = None
    if submitted and len(languages) > 1 and chosen not in {language.code for language in languages}:
        language_problem = gettext("Select the language of the interview")
    if not submitted or language_problem:
        errors = [{"text": problem, "href": "#participant_code"}] if problem else []
        if language_problem:
            errors.append({"text": language_problem, "href": "#language"})
        return render(
            db.session,
            "interviews/new.html",
            title=gettext("New interview: %(survey)s", survey=questionnaire.title),
            survey=survey,
            questionnaire=questionnaire,
            code=code,
            problem=problem,
            languages=languages if len(languages) > 1 else [],
            chosen_language=chosen,
            language_problem=language_problem,
            errors=errors or None,
        )
    with write_transaction(db.session):
        language = chosen if chosen != questionnaire.default_language else None
        response = start_interview(db.session, survey, current_user, code, language)
        response.current_page = flow.first_page_name(questionnaire, {})
    return redirect(InterviewNav(response.id).page(response.current_page))


@bp.get("/<id:response_id>")
@roles_required("volunteer")
def resume(response_id):
    journey, early = _interview(response_id)
    if early is not None:
        return early
    return redirect(journey.nav.page(journey.response.current_page or flow.CHECK_PAGE))


@bp.route("/<id:response_id>/page/<page_name>", methods=["GET", "POST"])
@roles_required("volunteer")
def page(response_id, page_name):
    journey, early = _interview(response_id)
    if early is not None:
        return early
    return journey.page(
        page_name, request.args.get("change") == "1", request.form if request.method == "POST" else None
    )


@bp.get("/<id:response_id>/check")
@roles_required("volunteer")
def check(response_id):
    journey, early = _interview(response_id)
    return early if early is not None else journey.check()


@bp.post("/<id:response_id>/submit")
@roles_required("volunteer")
def submit(response_id):
    journey, early = _interview(response_id, completed_too=True)
    return early if early is not None else journey.submit()


@bp.get("/<id:response_id>/done")
@roles_required("volunteer")
def done(response_id):
    _read_first()
    response = interview_for(db.session, current_user, response_id)
    if response is None:
        abort(404)
    if response.status != ResponseStatus.COMPLETED:
        return redirect(url_for("interviews.resume", response_id=response.id))
    survey = db.session.get(Survey, response.survey_id)
    return _journey(response, survey).done()


@bp.post("/<id:response_id>/withdraw")
@roles_required("volunteer")
def withdraw(response_id):
    """The person withdrew during the interview (confirmed): discard the draft, count it as declined."""
    require_button()
    journey, early = _interview(response_id)
    if early is not None:
        return early
    slug = db.session.get(Survey, journey.response.survey_id).slug
    with write_transaction(db.session):
        decline_interview(db.session, journey.response, reason="withdrew")
    return redirect(url_for("interviews.declined", slug=slug, withdrew=1))


@bp.get("/declined/<slug>")
@roles_required("volunteer")
def declined(slug):
    survey = _survey_for_volunteer(slug)
    return render_template(
        "interviews/declined.html",
        title=gettext("Interview stopped"),
        survey=survey,
        withdrew=request.args.get("withdrew") == "1",
    )
