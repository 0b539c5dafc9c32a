"""Interviews as plain functions: who may run which survey, starting, finding, declining.

A volunteer runs only the interview surveys assigned to them, and sees only
their own interviews: `interview_for` checks the response's own survey and
volunteer, never a URL parameter alone.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import gettext
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..auth.access import can_access_survey
from ..models import Answer, DeclinedInterview, Response, Survey, SurveyAssignment, User
from ..models.enums import ResponseStatus
from ..questionnaires.definition import Page, Questionnaire

# A participant code is a reference like "PHB-014", never a name: letters, digits and
# hyphens, at least one digit, at most 20 characters.
PARTICIPANT_CODE = re.compile(r"^(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{1,20}$")


def participant_code_problem(code: str) -> str | None:
    if code and not PARTICIPANT_CODE.match(code):
        return gettext(
            "Enter a participant code of up to 20 letters, digits and hyphens, with at least one digit, "
            "such as PHB-014 (never the person's name)"
        )
    return None


def assigned_surveys(session: Session, volunteer: User) -> list[Survey]:
    return list(
        session.scalars(
            select(Survey)
            .join(SurveyAssignment, SurveyAssignment.survey_id == Survey.id)
            .where(SurveyAssignment.user_id == volunteer.id, Survey.is_interview.is_(True))
            .order_by(Survey.title)
        )
    )


def interviews_of(session: Session, volunteer: User) -> list[Response]:
    """The volunteer's own interviews, newest first (drafts and submitted)."""
    return list(
        session.scalars(
            select(Response)
            .where(Response.volunteer_id == volunteer.id, Response.collection_mode == "interview")
            .order_by(Response.started_at.desc(), Response.id.desc())
        )
    )


def declined_counts(session: Session, volunteer: User) -> dict[int, int]:
    return dict(
        session.execute(
            select(DeclinedInterview.survey_id, func.count())
            .where(DeclinedInterview.volunteer_id == volunteer.id)
            .group_by(DeclinedInterview.survey_id)
        ).all()
    )


def start_interview(
    session: Session, survey: Survey, volunteer: User, participant_code: str | None, language: str | None = None
) -> Response:
    """A new draft interview on the survey's current version, its questions in `language` (a code the
    questionnaire has; None for its default language)."""
    response = Response(
        survey_id=survey.id,
        version_id=survey.current_version_id,
        respondent_key=f"int:{secrets.token_urlsafe(18)}",
        collection_mode="interview",
        volunteer_id=volunteer.id,
        participant_code=participant_code or None,
        language=language,
        status=ResponseStatus.IN_PROGRESS,
    )
    session.add(response)
    session.flush()
    return response


def interview_for(session: Session, volunteer: User, response_id: int) -> Response | None:
    """The volunteer's own interview on a survey they may still run, or None (shown as 404)."""
    response = session.get(Response, response_id)
    if response is None or response.collection_mode != "interview" or response.volunteer_id != volunteer.id:
        return None
    survey = session.get(Survey, response.survey_id)
    if survey is None or not can_access_survey(volunteer, survey):
        return None
    return response


def refuses_consent(page: Page, values: dict) -> bool:
    """Did this page's answers say no to a consent question?"""
    return any(q.consent and values.get(q.name) == "no" for q in page.questions)


def answers_at_stake(questionnaire: Questionnaire, answers: dict) -> int:
    """How many answers (consent questions aside) a withdrawal would discard."""
    consent = {q.name for q in questionnaire.all_questions() if q.consent}
    return sum(1 for name, value in answers.items() if name not in consent and value not in (None, "", []))


def decline_interview(session: Session, response: Response, reason: str = "declined") -> DeclinedInterview:
    """The person said no ("declined") or changed their mind ("withdrew"): delete the draft and its
    answers, keep only a count. One transaction (the caller's)."""
    declined = DeclinedInterview(survey_id=response.survey_id, volunteer_id=response.volunteer_id, reason=reason)
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    session.execute(delete(Response).where(Response.id == response.id).execution_options(synchronize_session=False))
    session.expunge(response)
    session.add(declined)
    return declined
