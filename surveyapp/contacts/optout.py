"""Opting out, of one survey or of every survey. Queued emails to that person are cancelled."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..audit import record_audit
from ..models import EmailStatus, Invitation, InvitationEventKind, OutboundEmail, utcnow
from ..services.invitations import record_event

CANCELLED = "cancelled: the recipient opted out"


def opt_out(session: Session, invitation: Invitation, everywhere: bool = False) -> bool:
    """Opt the invitation's contact out of this survey (and of all surveys if `everywhere`).

    Returns False when nothing changed (already opted out), so a repeated POST is harmless.
    """
    now = utcnow()
    contact = invitation.contact
    changed = False
    if invitation.opted_out_at is None:
        invitation.opted_out_at = now
        changed = True
    if everywhere and contact.opted_out_at is None:
        contact.opted_out_at = now
        changed = True
    if not changed:
        return False
    record_event(
        session,
        invitation,
        InvitationEventKind.OPTED_OUT,
        at=now,
        detail="all surveys" if everywhere else "this survey",
    )
    invitation_ids = select(Invitation.id).where(
        or_(Invitation.id == invitation.id, Invitation.contact_id == contact.id)
        if everywhere
        else Invitation.id == invitation.id
    )
    session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.invitation_id.in_(invitation_ids),
            OutboundEmail.status.in_((EmailStatus.QUEUED, EmailStatus.RETRYING)),
        )
        .values(status=EmailStatus.FAILED, last_error=CANCELLED)
    )
    record_audit(
        session,
        "contact.opt_out",
        target=f"invitation:{invitation.id}",
        detail="all surveys" if everywhere else "this survey",
        survey=invitation.survey,
        actor="respondent",
    )
    return True
