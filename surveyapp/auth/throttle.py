"""Login throttling by account and by address, from LoginAttempt rows.

After LOGIN_MAX_FAILURES_PER_ACCOUNT failed sign-ins for one email address (known
or not, so the answer tells nothing about which accounts exist), or
LOGIN_MAX_FAILURES_PER_ADDRESS from one IP address, within LOGIN_THROTTLE_MINUTES,
further attempts are refused without checking the password until the window passes.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import LoginAttempt, utcnow

DEFAULTS = {"LOGIN_MAX_FAILURES_PER_ACCOUNT": 5, "LOGIN_MAX_FAILURES_PER_ADDRESS": 20, "LOGIN_THROTTLE_MINUTES": 15}


def _setting(name: str) -> int:
    return int(current_app.config.get(name) or DEFAULTS[name])


def is_throttled(session: Session, email: str, ip_address: str) -> bool:
    since = utcnow() - timedelta(minutes=_setting("LOGIN_THROTTLE_MINUTES"))
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)))
    account_since = max(since, last_success) if last_success is not None else since
    by_account = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == email, LoginAttempt.succeeded.is_(False), LoginAttempt.at > account_since))
    if by_account >= _setting("LOGIN_MAX_FAILURES_PER_ACCOUNT"):
        return True
    by_address = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.ip_address == ip_address, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since))
    return by_address >= _setting("LOGIN_MAX_FAILURES_PER_ADDRESS")


def record_attempt(session: Session, email: str, ip_address: str, succeeded: bool) -> None:
    session.add(LoginAttempt(email=email[:320], ip_address=ip_address[:64], succeeded=succeeded, at=utcnow()))
