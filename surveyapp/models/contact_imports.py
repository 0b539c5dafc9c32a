"""The full problem report of a contacts import, kept a short while so it can be downloaded as CSV."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import UTCDateTime, utcnow


class ContactImportReport(db.Model):
    """One row per import that had problems: every problem row (line, kind, reason) as gzipped CSV.

    The reasons quote what the file held (an invalid address), so reports are deleted after
    REPORT_KEEP_DAYS (contacts/importer.py) rather than kept with the audit log.
    """

    __tablename__ = "contact_import_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(200))
    problem_count: Mapped[int]
    problems_csv_gz: Mapped[bytes] = mapped_column(LargeBinary)
