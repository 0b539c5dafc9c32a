"""People who can be invited, with the attributes results are segmented by."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import UTCDateTime, utcnow


class Contact(db.Model):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised (lower-case) address. NULL only after erasure; unique otherwise.
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # from every survey
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attributes: Mapped[list[ContactAttribute]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactAttribute.name"
    )

    def attribute_map(self) -> dict[str, str]:
        return {a.name: a.value for a in self.attributes}


class ContactAttribute(db.Model):
    """One (name, value) of a contact, e.g. ('pct', 'north'): a row so SQL can GROUP BY it."""

    __tablename__ = "contact_attribute"
    __table_args__ = (
        UniqueConstraint("contact_id", "name"),
        Index("ix_contact_attribute_name_value", "name", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(500))

    contact: Mapped[Contact] = relationship(back_populates="attributes")


class ContactList(db.Model):
    __tablename__ = "contact_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactListMember(db.Model):
    __tablename__ = "contact_list_member"
    __table_args__ = (UniqueConstraint("list_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("contact_list.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
