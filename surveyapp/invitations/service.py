"""Creating invitations, finding them by token, and writing their timeline."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Contact, Invitation, InvitationEvent, Survey, utcnow
from . import tokens


def record_event(
    session: Session, invitation: Invitation, kind: str, at: datetime | None = None, detail: str | None = None
) -> InvitationEvent:
    event = InvitationEvent(
        invitation=invitation, survey_id=invitation.survey_id, kind=kind, at=at or utcnow(), detail=detail
    )
    session.add(event)
    return event


def create_invitation(session: Session, survey: Survey, contact: Contact) -> Invitation:
    """A new invitation, or the existing one: never two for the same contact and survey."""
    existing = session.scalar(
        select(Invitation).where(Invitation.survey_id == survey.id, Invitation.contact_id == contact.id)
    )
    if existing is not None:
        return existing
    nonce = tokens.new_nonce()
    invitation = Invitation(
        survey_id=survey.id,
        contact_id=contact.id,
        token_nonce=nonce,
        token_hash=tokens.token_hash(tokens.token_for(current_app.config["SECRET_KEY"], nonce)),
    )
    session.add(invitation)
    session.flush()
    record_event(session, invitation, "created", at=invitation.created_at)
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return tokens.token_for(current_app.config["SECRET_KEY"], invitation.token_nonce)


def invitation_link(invitation: Invitation) -> str:
    """The personal link, always on SURVEYAPP_BASE_URL (never the request's Host)."""
    return f"{current_app.config['SURVEYAPP_BASE_URL']}/s/{invitation_token(invitation)}"


def find_invitation_by_token(session: Session, token: str) -> Invitation | None:
    """The live invitation for a token, or None (unknown, malformed or revoked)."""
    if not tokens.looks_like_token(token):
        return None
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == tokens.token_hash(token)))
    if invitation is None or invitation.revoked_at is not None:
        return None
    return invitation


def make_up_contact(session: Session) -> Contact:
    """A placeholder contact, for `invitations create` before contacts are imported."""
    contact = Contact(email=f"respondent-{secrets.token_hex(6)}@example.invalid", name=None)
    session.add(contact)
    session.flush()
    return contact
