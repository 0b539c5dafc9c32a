"""Responses and their answers, stored as rows that SQL can group and count."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import UTCDateTime, utcnow
from .enums import CollectionMode, ResponseStatus, check_in

COLLECTION_MODES = tuple(CollectionMode)


class Response(db.Model):
    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint(check_in("collection_mode", CollectionMode), name="collection_mode"),
        CheckConstraint(check_in("status", ResponseStatus), name="status"),
        Index("ix_response_survey_status", "survey_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    # Who this response belongs to: "inv:<invitation id>", "pub:<random>" or "int:<random>".
    # NOT NULL and unique, so the database itself stops a second response per invitation
    # (a unique nullable column would not: NULLs never collide).
    respondent_key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), unique=True)
    collection_mode: Mapped[str] = mapped_column(String(10))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    participant_code: Mapped[str | None] = mapped_column(String(50))
    # active_history: the old value is loaded before a change through the ORM, so that the answer tallies'
    # after_flush hook (analysis/tallies.py) can take the response away as it was counted.
    status: Mapped[str] = mapped_column(String(20), default=ResponseStatus.IN_PROGRESS, active_history=True)
    current_page: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, active_history=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    void_reason: Mapped[str | None] = mapped_column(String(1000))
    # When the respondent asked for a copy of their answers (one copy per response; mail/copies.py).
    copy_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the respondent reads the survey in (a code of its definition; NULL: the default).
    language: Mapped[str | None] = mapped_column(String(35))

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")
    version = relationship("SurveyVersion")
    invitation = relationship("Invitation")


class Answer(db.Model):
    """One answer value: one row per (response, question), or per chosen option.

    A multiple-choice answer is one row per option ticked, so counting options is
    `GROUP BY choice_id`. Numbers (integer, decimal, rating) are in value_number,
    dates in value_date, text in value_text.
    """

    __tablename__ = "answer"
    __table_args__ = (
        Index("ix_answer_question_choice", "question_id", "choice_id"),
        Index("ix_answer_response_question", "response_id", "question_id"),
        # Covering index for the dashboards' GROUP BY (migration 0005_dash).
        Index("ix_answer_question_values", "question_id", "choice_id", "value_number", "value_date", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("choice.id"))
    value_text: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_date: Mapped[date | None] = mapped_column(Date)

    response: Mapped[Response] = relationship(back_populates="answers")


class DeclinedInterview(db.Model):
    """An interview that stopped at the consent question: only counted, nothing else kept.

    reason: "declined" (said no at the start) or "withdrew" (changed consent to no during the
    interview, after confirming that the answers given are discarded). Both count as declined.
    """

    __tablename__ = "declined_interview"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(20), default="declined", server_default="declined")
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
