"""Building dashboard test data through the real journey functions (invitations, responses, answers)."""

from __future__ import annotations

from datetime import UTC, datetime

from surveyapp.extensions import db
from surveyapp.journey import flow as journey
from surveyapp.models import Contact, ContactAttribute, Response, User
from surveyapp.services import invitations as invitation_service
from surveyapp.services.invitations import record_event


def add_contact(email: str, **attributes) -> Contact:
    contact = Contact(email=email, name=f"Name of {email}")
    contact.attributes = [ContactAttribute(name=k, value=v) for k, v in attributes.items()]
    db.session.add(contact)
    db.session.flush()
    return contact


def start_invited_response(survey, invitation) -> Response:
    """The in-progress response that following an invitation's personal link creates."""
    response = Response(
        survey_id=survey.id,
        version_id=survey.current_version_id,
        respondent_key=f"inv:{invitation.id}",
        invitation_id=invitation.id,
        collection_mode="link",
        status="in_progress",
    )
    db.session.add(response)
    db.session.flush()
    return response


def respond(
    survey,
    answers: dict,
    contact: Contact | None = None,
    complete: bool = True,
    mode: str = "link",
    submitted_at: datetime | None = None,
    volunteer: User | None = None,
    n: list = [0],  # noqa: B006 (a deliberate counter shared across calls)
) -> Response:
    """One response: by invitation (contact given), public link, or interview; saved as the journey saves it."""
    if contact is not None:
        invitation = invitation_service.invite(db.session, survey, contacts=[contact])[0]
        invitation.emailed_at = invitation.last_emailed_at = invitation.created_at
        record_event(db.session, invitation, "emailed")
        invitation.first_opened_at = invitation.created_at
        response = start_invited_response(survey, invitation)
        invitation.started_at = invitation.created_at
        record_event(db.session, invitation, "started")
    else:
        n[0] += 1
        response = Response(
            survey_id=survey.id,
            version_id=survey.current_version_id,
            respondent_key=f"{'int' if mode == 'interview' else 'pub'}:test-{n[0]}",
            collection_mode=mode,
            status="in_progress",
            volunteer_id=volunteer.id if volunteer else None,
        )
        db.session.add(response)
        db.session.flush()
    questionnaire = journey.questionnaire_of(response.version)
    journey.save_answers(db.session, response, questionnaire, answers, [])
    if complete:
        assert journey.mark_completed(db.session, response)
        if submitted_at is not None:
            response.submitted_at = submitted_at
        if response.invitation is not None:
            response.invitation.completed_at = response.submitted_at
            record_event(db.session, response.invitation, "completed")
    db.session.flush()
    return response


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
