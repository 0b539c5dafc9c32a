"""Who is answering: the response behind a personal link or a public link."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask import abort, request
from flask import session as cookie
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.throttle import record_token_guess, too_many_token_guesses
from ..models import Invitation, Response, Survey, utcnow
from ..services.invitations import find_invitation_by_token, record_event

PUBLIC_COOKIE_KEY = "public_responses"


@dataclass
class Respondent:
    """What a journey URL resolves to: the survey, maybe an invitation, maybe a response so far."""

    kind: str  # "s" (personal link) or "p" (public link)
    key: str
    survey: Survey
    invitation: Invitation | None
    response: Response | None


def survey_state(survey: Survey, today: date | None = None) -> str:
    """'open', 'closed' or 'not_open' as a respondent sees it."""
    today = today or date.today()
    if survey.status == "closed" or (survey.closes_on is not None and survey.closes_on < today):
        return "closed"
    if survey.status != "open" or survey.current_version_id is None:
        return "not_open"
    return "open"


def client_address() -> str:
    return request.remote_addr or "unknown"


def refuse_if_guessing(db_session: Session) -> None:
    """429 for an address that has tried too many unknown links lately, valid links included."""
    if too_many_token_guesses(db_session, client_address()):
        abort(429)


def _unknown_link(db_session: Session):
    """Count the guess (in its own transaction), then the same 404 as any unknown URL."""
    db_session.rollback()
    record_token_guess(db_session, client_address())
    db_session.commit()
    abort(404)


def resolve(db_session: Session, kind: str, key: str) -> Respondent:
    """The respondent behind a URL, or the same 404 as any unknown URL."""
    if kind == "s":
        invitation = find_invitation_by_token(db_session, key)
        if invitation is None:
            _unknown_link(db_session)
        response = db_session.scalar(select(Response).where(Response.respondent_key == f"inv:{invitation.id}"))
        return Respondent(kind, key, invitation.survey, invitation, response)
    if kind == "p":
        survey = db_session.scalar(select(Survey).where(Survey.public_key == key))
        if survey is None or not survey.public_link_enabled or not secrets.compare_digest(survey.public_key, key):
            _unknown_link(db_session)
        respondent_key = cookie.get(PUBLIC_COOKIE_KEY, {}).get(str(survey.id))
        response = None
        if respondent_key:
            response = db_session.scalar(select(Response).where(Response.respondent_key == respondent_key))
        return Respondent(kind, key, survey, None, response)
    abort(404)


def start_response(db_session: Session, respondent: Respondent) -> Response:
    """Create the response (once). Two racing starts end with the same single row."""
    if respondent.response is not None:
        return respondent.response
    survey = respondent.survey
    if respondent.invitation is not None:
        respondent_key, mode = f"inv:{respondent.invitation.id}", "link"
    else:
        respondent_key, mode = f"pub:{secrets.token_urlsafe(18)}", "public"
    response = Response(
        survey_id=survey.id,
        version_id=survey.current_version_id,
        respondent_key=respondent_key,
        invitation_id=respondent.invitation.id if respondent.invitation else None,
        collection_mode=mode,
        status="in_progress",
    )
    db_session.add(response)
    try:
        db_session.flush()
    except IntegrityError:
        db_session.rollback()
        existing = db_session.scalar(select(Response).where(Response.respondent_key == respondent_key))
        if existing is None:
            raise
        respondent.response = existing
        return existing
    if respondent.invitation is not None and respondent.invitation.started_at is None:
        respondent.invitation.started_at = utcnow()
        record_event(db_session, respondent.invitation, "started")
    if respondent.kind == "p":
        mine = dict(cookie.get(PUBLIC_COOKIE_KEY, {}))
        mine[str(survey.id)] = respondent_key
        cookie[PUBLIC_COOKIE_KEY] = mine
        cookie.permanent = True
    respondent.response = response
    return response


def note_link_opened(db_session: Session, respondent: Respondent) -> None:
    """Record the first opening of a personal link (a GET: it never uses the link up)."""
    invitation = respondent.invitation
    if invitation is not None and invitation.first_opened_at is None:
        invitation.first_opened_at = utcnow()
        record_event(db_session, invitation, "opened")
