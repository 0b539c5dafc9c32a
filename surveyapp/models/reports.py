"""Report back sheets: a co-chairs' meeting record with narrative, figures, outside figures and actions.

A sheet belongs to one survey (its figures come from that survey, and who may see
it follows that survey's access rule). A draft's figures are live; finalising
stores each figure as it was shown that day (`ReportSection.frozen`), so a final
sheet never changes under its reader. Open actions are carried into the next
sheet of the same group (`ReportAction.carried_from_id`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import ShareLinkColumns, UTCDateTime, utcnow

REPORT_STATUSES = ("draft", "final")
ACTION_STATUSES = ("open", "promised", "done", "dropped")
FIGURE_KINDS = ("response_rate", "rate_by_area", "question", "crosstab")


class ReportBack(db.Model):
    __tablename__ = "report_back"
    __table_args__ = (CheckConstraint("status IN ('draft', 'final')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    group_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    meeting: Mapped[str] = mapped_column(String(300), default="")
    meeting_date: Mapped[date | None] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("report_back.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    survey = relationship("Survey")
    sections: Mapped[list[ReportSection]] = relationship(
        back_populates="report", order_by="ReportSection.position", cascade="all, delete-orphan"
    )
    actions: Mapped[list[ReportAction]] = relationship(
        back_populates="report", order_by="ReportAction.position", cascade="all, delete-orphan"
    )
    shares: Mapped[list[ReportShare]] = relationship(back_populates="report", cascade="all, delete-orphan")

    @property
    def is_final(self) -> bool:
        return self.status == "final"


class ReportSection(db.Model):
    """One section: a heading, the co-chairs' narrative (Markdown subset), and optionally a figure and outside figures."""

    __tablename__ = "report_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report_back.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(300), default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    # A live figure: kind (FIGURE_KINDS) and its parameters (question, by, filters).
    figure_kind: Mapped[str | None] = mapped_column(String(20))
    figure_params: Mapped[dict | None] = mapped_column(JSON)
    # The figure as shown when the sheet was finalised (tables and chart), never recomputed.
    frozen: Mapped[dict | None] = mapped_column(JSON)
    # Outside figures, shown as given: title, source, comparators note, rows of text cells.
    outside: Mapped[dict | None] = mapped_column(JSON)

    report: Mapped[ReportBack] = relationship(back_populates="sections")


class ReportAction(db.Model):
    """What the group asked of whom, by when, and where it stands."""

    __tablename__ = "report_action"
    __table_args__ = (CheckConstraint("status IN ('open', 'promised', 'done', 'dropped')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report_back.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    of_whom: Mapped[str] = mapped_column(String(300), default="")
    by_when: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    progress: Mapped[str] = mapped_column(Text, default="")  # what happened since
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("report_action.id"))

    report: Mapped[ReportBack] = relationship(back_populates="actions")
    carried_from: Mapped[ReportAction | None] = relationship(remote_side=[id])


class ReportShare(ShareLinkColumns, db.Model):
    """A read-only link for people without an account: the token is stored hashed (SHA-256)."""

    __tablename__ = "report_share"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report_back.id"), index=True)

    report: Mapped[ReportBack] = relationship(back_populates="shares")
