"""Surveys, their frozen versions, and the question/choice rows that answers point at."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import UTCDateTime, utcnow
from .enums import SurveyStatus, TemplateKind, check_in


class Survey(db.Model):
    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint(check_in("status", SurveyStatus), name="status"),
        CheckConstraint("disclosure_policy IN ('people', 'professional', 'off')", name="disclosure_policy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=SurveyStatus.DRAFT)
    # Settings a dashboard or the mailer reads in SQL; the rest stay in the definition.
    is_interview: Mapped[bool] = mapped_column(Boolean, default=False)
    public_link_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The public link is meant to be shared, so its key is stored as it is.
    public_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    reminder_max: Mapped[int] = mapped_column(Integer, default=2)
    reminder_interval_days: Mapped[int] = mapped_column(Integer, default=7)
    closes_on: Mapped[date | None] = mapped_column(Date)
    disclosure_threshold: Mapped[int] = mapped_column(Integer, default=7)
    disclosure_rounding: Mapped[int] = mapped_column(Integer, default=5)
    # How figures are shown (analysis/disclosure.py): people, professional or off; set on the survey's admin page.
    disclosure_policy: Mapped[str] = mapped_column(String(20), default="people", server_default="people")
    disclosure_min_cell: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The editor's unpublished draft (the shape of Questionnaire.to_dict(), possibly not valid yet); None: no draft.
    draft_definition: Mapped[dict | None] = mapped_column(JSON)
    draft_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", foreign_keys="SurveyVersion.survey_id", order_by="SurveyVersion.number"
    )
    templates: Mapped[list[MessageTemplate]] = relationship(back_populates="survey", cascade="all, delete-orphan")

    @property
    def current_version(self) -> SurveyVersion | None:
        """The newest version: what new respondents answer."""
        return self.versions[-1] if self.versions else None

    @property
    def current_version_id(self) -> int | None:
        version = self.current_version
        return version.id if version else None


class SurveyVersion(db.Model):
    """One published shape of a questionnaire. Frozen once it has a response."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The whole definition (Questionnaire.to_dict()), what the engine renders from.
    definition: Mapped[dict] = mapped_column(JSON)
    source_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions", foreign_keys=[survey_id])
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """A question of one version, as a row so that answers can be grouped and joined in SQL."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    qtype: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(Text)
    page_name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )


class Choice(db.Model):
    __tablename__ = "choice"
    __table_args__ = (UniqueConstraint("question_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    value: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    question: Mapped[Question] = relationship(back_populates="choices")


class MessageTemplate(db.Model):
    """The invitation and reminder emails of a survey (Jinja, rendered sandboxed), one per language.

    `language` is '' for the survey's default language, else a language code of its definition;
    NOT NULL so that the unique constraint also stops two default templates of a kind.
    """

    __tablename__ = "message_template"
    __table_args__ = (
        UniqueConstraint("survey_id", "kind", "language"),
        CheckConstraint(check_in("kind", TemplateKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(35), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="templates")
