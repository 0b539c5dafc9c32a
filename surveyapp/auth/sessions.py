"""Server-side sessions: a random id in the signed cookie, its SHA-256 in a UserSession row.

The cookie alone is not enough to be signed in: the row must exist, belong to
the same user, not be ended (logout, deactivation) and be within the idle and
absolute time limits (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS). So a
cookie copied before logout is refused afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request
from flask import session as cookie
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User, UserSession, utcnow

SESSION_KEY = "sid"
# last_seen_at is written at most once a minute, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(db_session: Session, user: User) -> UserSession:
    """A new server-side session for `user`; its id goes into the (already cleared) cookie."""
    session_id = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        token_hash=_hash(session_id),
        created_at=utcnow(),
        last_seen_at=utcnow(),
        ip_address=request.remote_addr,
    )
    db_session.add(row)
    cookie[SESSION_KEY] = session_id
    return row


def current_session_row(db_session: Session) -> UserSession | None:
    session_id = cookie.get(SESSION_KEY)
    if not session_id or not isinstance(session_id, str):
        return None
    return db_session.scalar(select(UserSession).where(UserSession.token_hash == _hash(session_id)))


def validate_session(db_session: Session, user_id: int) -> bool:
    """Is the cookie's server-side session live for `user_id`? Ends it when it has timed out."""
    row = current_session_row(db_session)
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    now = utcnow()
    idle = timedelta(minutes=current_app.config.get("SESSION_IDLE_MINUTES", 30))
    absolute = timedelta(hours=current_app.config.get("SESSION_ABSOLUTE_HOURS", 12))
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.ended_at = now
        return False
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return True


def end_current_session(db_session: Session) -> None:
    row = current_session_row(db_session)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
