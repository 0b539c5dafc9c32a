"""Invitations: creating them (the one function the CLI, the admin pages and the demo call),
finding them by token, revoking them, and writing their timeline.

Queueing their emails is mail.outbox's work (`queue_invitations`, `queue_reminders`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..audit import record_audit
from ..contacts.selection import contacts_to_invite, parse_where
from ..invitations import tokens
from ..models import (
    Contact,
    EmailStatus,
    Invitation,
    InvitationEvent,
    InvitationEventKind,
    OutboundEmail,
    Survey,
    utcnow,
)

REVOKED = "cancelled: the invitation was revoked"


class InvitationError(ValueError):
    """An invitation cannot be changed as asked; str() says why."""


def record_event(
    session: Session,
    invitation: Invitation,
    kind: InvitationEventKind | str,
    at: datetime | None = None,
    detail: str | None = None,
) -> InvitationEvent:
    event = InvitationEvent(
        invitation=invitation, survey_id=invitation.survey_id, kind=kind, at=at or utcnow(), detail=detail
    )
    session.add(event)
    return event


def _create_invitation(session: Session, survey: Survey, contact: Contact) -> Invitation:
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
    record_event(session, invitation, InvitationEventKind.CREATED, at=invitation.created_at)
    return invitation


def invite(
    session: Session,
    survey: Survey,
    *,
    list_name: str | None = None,
    where: Iterable[str] = (),
    contacts: Iterable[Contact] | None = None,
    make_up_contact_when_none: bool = False,
) -> list[Invitation]:
    """Invite contacts to `survey` and audit it once; returns the invitations created, in contact order.

    Without `contacts`: every contact that may be invited (not erased nor opted out) and is not
    invited yet, narrowed by a contact list and ATTR=VALUE conditions (contacts.selection's rules).
    With `contacts`: those contacts (an existing invitation is kept, not duplicated).
    `make_up_contact_when_none`: no contacts at all yet, so one placeholder contact is invited
    (`flask invitations create` before any import). Raises SelectionError for an unknown list or a
    malformed condition, before anything is written.
    """
    where = [line.strip() for line in where if line.strip()]
    if contacts is None:
        query = contacts_to_invite(session, survey.id, list_name, parse_where(where))
        contacts = list(session.scalars(select(Contact).where(Contact.id.in_(query)).order_by(Contact.id)))
        if (
            not contacts
            and make_up_contact_when_none
            and not list_name
            and not where
            and session.scalar(select(Contact.id).limit(1)) is None
        ):
            contacts = [_make_up_contact(session)]
    invitations = [_create_invitation(session, survey, contact) for contact in contacts]
    if invitations:
        record_audit(
            session,
            "invitations.create",
            target=f"survey:{survey.slug}",
            survey=survey,
            count=len(invitations),
            detail="; ".join(filter(None, [list_name and f"list={list_name}", *where])) or None,
        )
    return invitations


def _make_up_contact(session: Session) -> Contact:
    contact = Contact(email=f"respondent-{secrets.token_hex(6)}@example.invalid", name=None)
    session.add(contact)
    session.flush()
    return contact


def find_invitation_by_token(session: Session, token: str) -> Invitation | None:
    """The live invitation for a token, or None (unknown, malformed or revoked)."""
    if not tokens.looks_like_token(token):
        return None
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == tokens.token_hash(token)))
    if invitation is None or invitation.revoked_at is not None:
        return None
    return invitation


def revoke_invitation(session: Session, invitation: Invitation, reason: str | None = None) -> None:
    """Revoke an invitation: its link answers 404 from now on, its queued emails are cancelled and no
    reminder is chosen for it again. Audited, in the caller's transaction."""
    if invitation.revoked_at is not None:
        raise InvitationError(gettext("This invitation has been revoked already"))
    if invitation.completed_at is not None:
        raise InvitationError(
            gettext("This invitation has been completed: its response is kept, so it cannot be revoked")
        )
    now = utcnow()
    invitation.revoked_at = now
    reason = (reason or "").strip() or None
    record_event(session, invitation, InvitationEventKind.REVOKED, at=now, detail=reason)
    session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.invitation_id == invitation.id,
            OutboundEmail.status.in_((EmailStatus.QUEUED, EmailStatus.RETRYING)),
        )
        .values(status=EmailStatus.FAILED, last_error=REVOKED)
    )
    record_audit(
        session,
        "invitation.revoke",
        target=f"invitation:{invitation.id}",
        detail=reason,
        survey=session.get(Survey, invitation.survey_id),
    )
