"""Choosing contacts to invite: by list and by attribute values, in SQL."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from ..models import Contact, ContactAttribute, ContactList, ContactListMember, Invitation


class SelectionError(ValueError):
    """A selection a user asked for cannot be made (unknown list, malformed condition); str() says why, in the
    page's interface language (translated where it is raised; English on the command line)."""


def parse_where(conditions: list[str] | tuple[str, ...]) -> dict[str, list[str]]:
    """['pct=north', 'pct=south', 'language=en'] -> {'pct': ['north', 'south'], 'language': ['en']}.

    Different attributes must all match; several values of one attribute are alternatives.
    """
    parsed: dict[str, list[str]] = {}
    for condition in conditions:
        name, sep, value = condition.partition("=")
        name, value = name.strip().lower().replace(" ", "_"), value.strip()
        if not sep or not name or not value:
            raise SelectionError(
                gettext(
                    "“%(condition)s” is not a condition: write %(form)s, e.g. %(example)s",
                    condition=condition,
                    form="ATTRIBUTE=VALUE",
                    example="pct=north",
                )
            )
        parsed.setdefault(name, []).append(value)
    return parsed


def contacts_to_invite(
    session: Session, survey_id: int, list_name: str | None = None, where: dict[str, list[str]] | None = None
) -> Select:
    """Contacts that may be invited (not erased, not opted out) and are not invited to the survey yet."""
    query = select(Contact.id).where(
        Contact.erased_at.is_(None),
        Contact.email.is_not(None),
        Contact.opted_out_at.is_(None),
        ~exists().where(Invitation.survey_id == survey_id, Invitation.contact_id == Contact.id),
    )
    if list_name:
        list_id = session.scalar(select(ContactList.id).where(ContactList.name == list_name))
        if list_id is None:
            raise SelectionError(gettext("There is no contact list called “%(name)s”.", name=list_name))
        query = query.where(
            exists().where(ContactListMember.list_id == list_id, ContactListMember.contact_id == Contact.id)
        )
    for name, values in (where or {}).items():
        query = query.where(
            exists().where(
                ContactAttribute.contact_id == Contact.id,
                ContactAttribute.name == name,
                ContactAttribute.value.in_(values),
            )
        )
    return query.order_by(Contact.id)
