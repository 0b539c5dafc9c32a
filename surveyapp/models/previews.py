"""Preview links: a survey's draft (or current version) read-only, for reviewers without an account."""

from __future__ import annotations

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import ShareLinkColumns


class PreviewLink(ShareLinkColumns, db.Model):
    """A survey's preview for reviewers; the token is stored hashed (SHA-256)."""

    __tablename__ = "preview_link"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
