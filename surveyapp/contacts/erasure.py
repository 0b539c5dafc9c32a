"""Erasure of a contact's personal data on request.

The contact row stays (as an empty shell) so the invitation and its anonymised
response still count in response rates; the email address, name, attributes,
list memberships and every stored copy of emails to them are removed, and the
contact is opted out so nothing is ever sent again.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..analysis import tallies
from ..audit import record_audit
from ..models import (
    Contact,
    ContactAttribute,
    ContactListMember,
    EmailStatus,
    Invitation,
    InvitationEvent,
    OutboundEmail,
    utcnow,
)

ERASED_ADDRESS = "erased"


class ContactNotFound(LookupError):
    pass


def find_contact(session: Session, email_or_id: str) -> Contact:
    from .emails import InvalidEmail, normalise_email

    if email_or_id.isdigit():
        contact = session.get(Contact, int(email_or_id))
    else:
        try:
            email = normalise_email(email_or_id)
        except InvalidEmail:
            email = email_or_id.strip().lower()
        contact = session.scalar(select(Contact).where(Contact.email == email))
    if contact is None:
        raise ContactNotFound(f"There is no contact {email_or_id}.")
    return contact


def erase_contact(session: Session, contact: Contact) -> bool:
    """Erase in the caller's transaction; False if the contact was erased already."""
    if contact.erased_at is not None:
        return False
    now = utcnow()
    contact_id = contact.id
    contact.email = None
    contact.name = None
    contact.erased_at = now
    contact.opted_out_at = contact.opted_out_at or now
    tallies.contacts_changing(session, [contact_id], -1)  # its responses leave the segments they were in
    session.execute(delete(ContactAttribute).where(ContactAttribute.contact_id == contact_id))
    session.execute(delete(ContactListMember).where(ContactListMember.contact_id == contact_id))
    invitation_ids = select(Invitation.id).where(Invitation.contact_id == contact_id)
    # Stored emails hold the address, the name and the personal link: keep only their state.
    session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.invitation_id.in_(invitation_ids))
        .values(
            to_address=ERASED_ADDRESS,
            subject="(erased)",
            body_text="",
            body_html=None,
            headers={},
            last_error="cancelled: the contact was erased",
        )
    )
    session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.invitation_id.in_(invitation_ids),
            OutboundEmail.status.in_((EmailStatus.QUEUED, EmailStatus.RETRYING, EmailStatus.SENDING)),
        )
        .values(status=EmailStatus.FAILED)
    )
    # Server replies quoted in the timeline can name the address.
    session.execute(
        update(InvitationEvent).where(InvitationEvent.invitation_id.in_(invitation_ids)).values(detail=None)
    )
    session.expire(contact)
    record_audit(session, "contact.erase", target=f"contact:{contact_id}")
    return True
