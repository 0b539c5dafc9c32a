""" "Preview as": the contact attributes the editor's preview can pretend a respondent has.

The names come from the draft (the attributes its conditions and piped texts use, and those listed in
`settings.contact_attributes`); the values are typed, or read from one of the survey's invited contacts. Nothing
is stored: the preview carries them from page to page in the form.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Contact, ContactAttribute, Invitation
from ..questionnaires import piping
from ..questionnaires.definition import Questionnaire

#: how many of the survey's contacts the picker lists (by name, then address)
MAX_CONTACTS = 200
#: a typed value's length limit (a stored attribute's own limit)
MAX_VALUE = 500


def attribute_names(questionnaire: Questionnaire) -> list[str]:
    """The attributes a preview can set: those the questionnaire uses, then those listed for results."""
    used = piping.contact_attributes_used(questionnaire)
    listed = {
        str(name) for name in questionnaire.setting("contact_attributes") or [] if piping.ATTRIBUTE_RE.match(str(name))
    }
    return sorted(used) + sorted(listed - used)


def survey_contacts(session: Session, survey_id: int) -> list[tuple[int, str]]:
    """(id, "Name (address)") of the survey's invited contacts that are not erased, at most MAX_CONTACTS."""
    rows = session.execute(
        select(Contact.id, Contact.name, Contact.email)
        .join(Invitation, Invitation.contact_id == Contact.id)
        .where(Invitation.survey_id == survey_id, Contact.erased_at.is_(None))
        .order_by(Contact.name, Contact.email, Contact.id)
        .limit(MAX_CONTACTS)
    ).all()
    return [(cid, f"{name} ({email})" if name else email or f"Contact {cid}") for cid, name, email in rows]


def contact_attributes(session: Session, survey_id: int, contact_id: int) -> dict[str, str] | None:
    """The attributes of one of the survey's invited contacts, or None when it is not one of them."""
    invited = session.scalar(
        select(Contact.id)
        .join(Invitation, Invitation.contact_id == Contact.id)
        .where(Invitation.survey_id == survey_id, Contact.id == contact_id, Contact.erased_at.is_(None))
    )
    if invited is None:
        return None
    return dict(
        session.execute(
            select(ContactAttribute.name, ContactAttribute.value).where(ContactAttribute.contact_id == contact_id)
        ).all()
    )


def carried(data: object, names: list[str] | None = None) -> dict[str, str]:
    """Attributes carried by a preview's form (JSON already read): text values under valid names, the rest dropped."""
    if not isinstance(data, dict):
        return {}
    return {
        str(k): v[:MAX_VALUE]
        for k, v in data.items()
        if isinstance(k, str) and piping.ATTRIBUTE_RE.match(k) and isinstance(v, str) and (names is None or k in names)
    }
