"""Read-only links for people without an account: preview links (editor) and report back shares (reports).

Promises, for every kind of link (models/_common.ShareLinkColumns):
- a token is 256 random bits (`secrets.token_urlsafe(32)`), shown once; only its SHA-256 is stored, so a copy
  of the database cannot open a link;
- a link lasts from 1 day to its kind's maximum, until it expires or is revoked;
- a token that is empty or longer than any issued one is not looked up.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import utcnow
from ..models._common import ShareLinkColumns
from .tokens import token_hash

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100

Link = TypeVar("Link", bound=ShareLinkColumns)


def issue(session: Session, link: Link, days: int, label: str = "", created_by_id: int | None = None) -> str:
    """Fill in a new link's token and lifetime, add it, and return the token (shown once)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link.token_hash = token_hash(token)
    link.label = label[:200]
    link.created_by_id = created_by_id
    link.expires_at = utcnow() + timedelta(days=days)
    session.add(link)
    session.flush()
    return token


def find(session: Session, model: type[Link], token: str) -> Link | None:
    """The link of `model` a token names, live or not (None for a token that was never issued)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(model).where(model.token_hash == token_hash(token)))


def revoke(link: ShareLinkColumns) -> bool:
    """Stop a link working; False when it was revoked already."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = utcnow()
    return True
