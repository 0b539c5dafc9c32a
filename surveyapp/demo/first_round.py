"""A round in progress for the demo, and what `flask demo` prints every time.

The carers' survey has a contact list, some invitations emailed ten days ago (so reminders are due
now, whenever the demo is loaded) and some carers not yet invited, so an admin can walk through a
whole round in the browser: choose the list, invite, send, see the captured email, remind.
"""

from __future__ import annotations

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Contact, ContactList, ContactListMember, Invitation, Response, Survey, utcnow
from ..models.enums import ResponseStatus, SurveyStatus
from ..services.invitations import invite, record_event
from ..services.links import invitation_link
from ..services.surveys import import_definition, set_status
from . import DEMO_PASSWORD, DEMO_USERS, FIRST, HERE, LAST, _fill

CARERS_SLUG = "carers-support"
CARERS_LIST = "Carers' network"
CARERS, CARERS_INVITED, CARERS_COMPLETED = 12, 8, 2


def load_reminder_round(session: Session, seed: int = 2011) -> bool:
    """Add the carers' survey with reminders due; False when it is there already."""
    if session.scalar(select(Survey.id).where(Survey.slug == CARERS_SLUG)) is not None:
        return False
    rng = random.Random(seed)
    survey = import_definition(session, (HERE / "carers_support.yaml").read_text(), "carers_support.yaml").survey
    set_status(session, survey, SurveyStatus.OPEN)
    now = utcnow()
    survey.opened_at = now - timedelta(days=11)
    survey.closes_on = (now + timedelta(days=28)).date()
    carers_list = ContactList(name=CARERS_LIST)
    session.add(carers_list)
    session.flush()
    sent = now - timedelta(days=10)
    for n in range(1, CARERS + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        contact = Contact(email=f"{first}.{last}.carer{n}@carers.example.org".lower(), name=f"{first} {last}")
        session.add(contact)
        session.flush()
        session.add(ContactListMember(list_id=carers_list.id, contact_id=contact.id))
        if n > CARERS_INVITED:
            continue  # not invited yet: the admin invites them from the list
        invitation = invite(session, survey, contacts=[contact])[0]
        invitation.created_at = invitation.events[0].at = sent - timedelta(hours=1)
        invitation.emailed_at = invitation.last_emailed_at = sent
        record_event(session, invitation, "emailed", at=sent)
        if n <= CARERS_COMPLETED:
            done = sent + timedelta(hours=rng.randint(2, 48))
            invitation.first_opened_at = invitation.started_at = done - timedelta(minutes=5)
            response = Response(
                survey_id=survey.id,
                version_id=survey.current_version_id,
                respondent_key=f"inv:{invitation.id}",
                invitation_id=invitation.id,
                collection_mode="link",
                status=ResponseStatus.IN_PROGRESS,
                started_at=invitation.started_at,
            )
            session.add(response)
            session.flush()
            _fill(session, rng, response, {}, now.date())
            response.status, response.submitted_at = ResponseStatus.COMPLETED, done
            invitation.completed_at = done
            record_event(session, invitation, "completed", at=done)
    session.flush()
    return True


def demo_summary(session: Session) -> str:
    """The accounts, the personal links and where to look: printed by every `flask demo`."""
    base = current_app.config["SURVEYAPP_BASE_URL"]
    gp_links = session.scalars(
        select(Invitation)
        .join(Survey, Survey.id == Invitation.survey_id)
        .where(Survey.slug == "gp-iapt", Invitation.first_opened_at.is_(None), Invitation.completed_at.is_(None))
        .order_by(Invitation.id)
        .limit(2)
    ).all()
    lines = [
        f"Open {base}/ and sign in at {base}/login with any of these (password: {DEMO_PASSWORD}):",
        *(f"  {email}  ({role})" for email, role in DEMO_USERS),
        "Answer the GP survey as an invited GP through a personal link:",
        *(f"  {invitation_link(i)}" for i in gp_links),
        f"Run a round as admin@example.org: {base}/admin/surveys/{CARERS_SLUG}/invitations",
        f"  (invite the list \u201c{CARERS_LIST}\u201d, send, then remind: reminders are due there)",
        f"Emails are captured, not sent: {base}/admin/outbox/captured",
        "Start again from scratch: .venv/bin/flask --app wsgi demo --reset",
    ]
    return "\n".join(lines)


def reset_database() -> None:
    """Drop every table and build the schema again through the migrations (for `flask demo --reset`)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from ..extensions import db

    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
