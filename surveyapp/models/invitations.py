"""An invitation: one contact asked to answer one survey, with its timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import UTCDateTime, utcnow
from .enums import InvitationEventKind, check_in


class Invitation(db.Model):
    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("survey_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    # The link's token is HMAC(SECRET_KEY, token_nonce); only its SHA-256 is stored.
    # A copy of the database alone cannot make a working link (see docs/ARCHITECTURE.md).
    token_nonce: Mapped[bytes] = mapped_column(LargeBinary(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Gave up after repeated temporary failures (the mail worker's MAX_ATTEMPTS).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A permanent delivery failure (an SMTP 5xx reply): no more emails to this invitation.
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Revoked by an admin: the link answers 404 and no more emails are sent.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact = relationship("Contact")
    survey = relationship("Survey")
    events: Mapped[list[InvitationEvent]] = relationship(
        back_populates="invitation", order_by="InvitationEvent.at", cascade="all, delete-orphan"
    )


class InvitationEvent(db.Model):
    """The timeline behind the response-rate charts (one row per thing that happened)."""

    __tablename__ = "invitation_event"
    __table_args__ = (
        CheckConstraint(check_in("kind", InvitationEventKind), name="kind"),
        # The dashboards' "invitations and reminders sent" markers (migration 0005_dash).
        Index("ix_invitation_event_survey_kind_at", "survey_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    detail: Mapped[str | None] = mapped_column(String(1000))

    invitation: Mapped[Invitation] = relationship(back_populates="events")
