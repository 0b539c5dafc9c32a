"""Preview links: a survey's draft (or its current version when there is no draft), read-only, for colleagues
who review wording without an account.

Promises (with every share link's, services/share_links.py: 256-bit tokens shown once, stored hashed):
- a link opens only the preview of its own survey, until it expires (14 days by default) or is revoked;
- nothing a reviewer does is stored: the preview keeps its answers in the page, like the editor's preview.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import PreviewLink, Survey
from . import share_links

DEFAULT_DAYS = 14
MAX_DAYS = 90


class PreviewLinkError(ValueError):
    pass


def create_link(
    session: Session, survey: Survey, days: int = DEFAULT_DAYS, label: str = "", created_by_id: int | None = None
) -> tuple[PreviewLink, str]:
    """(link, token): the token is shown once, only its hash is kept."""
    if not 1 <= days <= MAX_DAYS:
        raise PreviewLinkError(f"A preview link lasts from 1 to {MAX_DAYS} days")
    link = PreviewLink(survey_id=survey.id)
    return link, share_links.issue(session, link, days, label, created_by_id)


def find_link(session: Session, token: str) -> PreviewLink | None:
    """The link a token names, live or not (None for a token that was never issued)."""
    return share_links.find(session, PreviewLink, token)


def links_of(session: Session, survey: Survey) -> list[PreviewLink]:
    return list(
        session.scalars(select(PreviewLink).where(PreviewLink.survey_id == survey.id).order_by(PreviewLink.id.desc()))
    )


revoke = share_links.revoke
