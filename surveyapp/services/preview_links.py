"""Preview links: a survey's draft (or its current version when there is no draft), read-only, for colleagues
who review wording without an account.

Promises (the pattern of report backs' share links, services/report_backs.py):
- a token is 256 random bits (`secrets.token_urlsafe(32)`), shown once; only its SHA-256 is stored, so a copy of
  the database cannot open a preview;
- a link opens only the preview of its own survey, until it expires (14 days by default) or is revoked;
- nothing a reviewer does is stored: the preview keeps its answers in the page, like the editor's preview.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import PreviewLink, Survey, utcnow
from .tokens import token_hash

TOKEN_BYTES = 32
DEFAULT_DAYS = 14
MAX_DAYS = 90
MAX_TOKEN_LENGTH = 100


class PreviewLinkError(ValueError):
    pass


def create_link(
    session: Session, survey: Survey, days: int = DEFAULT_DAYS, label: str = "", created_by_id: int | None = None
) -> tuple[PreviewLink, str]:
    """(link, token): the token is shown once, only its hash is kept."""
    if not 1 <= days <= MAX_DAYS:
        raise PreviewLinkError(f"A preview link lasts from 1 to {MAX_DAYS} days")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PreviewLink(
        survey_id=survey.id,
        token_hash=token_hash(token),
        label=label[:200],
        created_by_id=created_by_id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(link)
    session.flush()
    return link, token


def find_link(session: Session, token: str) -> PreviewLink | None:
    """The link a token names, live or not (None for a token that was never issued)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(PreviewLink).where(PreviewLink.token_hash == token_hash(token)))


def links_of(session: Session, survey: Survey) -> list[PreviewLink]:
    return list(
        session.scalars(select(PreviewLink).where(PreviewLink.survey_id == survey.id).order_by(PreviewLink.id.desc()))
    )


def revoke(link: PreviewLink) -> bool:
    """Stop a link working; False when it was revoked already."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = utcnow()
    return True
