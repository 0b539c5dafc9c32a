"""API tokens: issue, authenticate, record use, list and revoke (plain functions for the CLI, API and pages).

Promises:
- a token is 256 random bits shown once; only its SHA-256 is stored (a copy of the
  database cannot be replayed as a token);
- a token works only on the JSON API (api/routes.py) and only until it expires or is
  revoked, and only while its account is active; "read" tokens only for GET and HEAD;
- each token's first use of a UTC day writes an `api_token_used` audit row; its
  last-used time is written at most once a minute, so a busy client does not
  turn every read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..audit import record_audit
from ..models import TOKEN_SCOPES, ApiToken, User, utcnow

DEFAULT_DAYS = 90
MAX_DAYS = 366
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY = timedelta(seconds=60)


class TokenError(ValueError):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(session: Session, user: User, days: int = DEFAULT_DAYS, scope: str = "read") -> tuple[str, ApiToken]:
    """A new token for `user` (other tokens stay valid); returns the token, shown once, and its row."""
    if scope not in TOKEN_SCOPES:
        raise TokenError(f"Scope must be one of {', '.join(TOKEN_SCOPES)}")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"A token lasts from 1 to {MAX_DAYS} days")
    if not user.active:
        raise TokenError(f"{user.email} is deactivated")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        token_hash=token_hash(token),
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return token, row


def find_live_token(session: Session, token: str) -> ApiToken | None:
    """The token's row if it is known, not revoked, not expired and its account is active; else None."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.state() != "active" or not row.user.active:
        return None
    return row


def allows(row: ApiToken, method: str) -> bool:
    return row.scope == "write" or method.upper() in READ_METHODS


def needs_recording(row: ApiToken) -> bool:
    now = utcnow()
    return row.last_used_at is None or row.last_used_at.date() != now.date() or now - row.last_used_at > TOUCH_EVERY


def record_use(session: Session, row: ApiToken) -> None:
    """Last-used time (at most once a minute) and the day's first use in the audit log."""
    now = utcnow()
    if row.last_used_at is None or row.last_used_at.date() != now.date():
        record_audit(
            session,
            "api_token_used",
            target=row.user.email,
            detail=f"token {row.id} ({row.scope}), first use today",
            actor=row.user.email,
            user_id=row.user_id,
        )
    if needs_recording(row):
        row.last_used_at = now


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, row: ApiToken) -> bool:
    """Stop a token working; False when it was revoked already."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def revoke_all_tokens(session: Session, user: User) -> int:
    """Revoke every token of `user` (deactivation); returns how many were live."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def bearer_token(req) -> str | None:
    """The token of a request's `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
