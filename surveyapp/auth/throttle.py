"""Login throttling by account and by address, from LoginAttempt rows.

After LOGIN_MAX_FAILURES_PER_ACCOUNT failed sign-ins for one email address (known
or not, so the answer tells nothing about which accounts exist), or
LOGIN_MAX_FAILURES_PER_ADDRESS from one IP address, within LOGIN_THROTTLE_MINUTES,
further attempts are refused without checking the password until the window passes.

Guessing of respondents' link tokens is throttled from the same table: each
unknown token in a URL (/s/<token>, its pages, opt-out and unsubscribe, /p/<key>)
is a failed row with the email set to TOKEN_GUESS_MARKER. After TOKEN_GUESS_LIMIT
of them from one address within TOKEN_GUESS_WINDOW_MINUTES, unknown tokens from
that address answer 429 until the oldest guesses leave the window. The table is
consulted only when a token is unknown: a valid token is never refused, and a
valid link's request costs no throttle query.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from flask import abort, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..models import LoginAttempt, utcnow

DEFAULTS = {
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_THROTTLE_MINUTES": 15,
    "TOKEN_GUESS_LIMIT": 30,
    "TOKEN_GUESS_WINDOW_MINUTES": 10,
}
# Not an email address, so it can never be an account's.
TOKEN_GUESS_MARKER = "(token-guess)"


def _setting(name: str) -> int:
    return int(current_app.config.get(name) or DEFAULTS[name])


def is_throttled(session: Session, email: str, ip_address: str) -> bool:
    since = utcnow() - timedelta(minutes=_setting("LOGIN_THROTTLE_MINUTES"))
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True))
    )
    account_since = max(since, last_success) if last_success is not None else since
    by_account = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False), LoginAttempt.at > account_since)
    )
    if by_account >= _setting("LOGIN_MAX_FAILURES_PER_ACCOUNT"):
        return True
    by_address = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.ip_address == ip_address,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
            LoginAttempt.email != TOKEN_GUESS_MARKER,
        )
    )
    return by_address >= _setting("LOGIN_MAX_FAILURES_PER_ADDRESS")


def record_attempt(session: Session, email: str, ip_address: str, succeeded: bool) -> None:
    session.add(LoginAttempt(email=email[:320], ip_address=ip_address[:64], succeeded=succeeded, at=utcnow()))


# Token guesses are kept in the database rather than in process memory so that every
# worker process (and every server behind a load balancer) counts the same guesses.
# The cost is bounded: a row is written only for an unknown token, and once an address
# reaches the limit it gets 429 without a new row, so it writes at most
# TOKEN_GUESS_LIMIT rows per window.


def too_many_token_guesses(session: Session, ip_address: str) -> bool:
    since = utcnow() - timedelta(minutes=_setting("TOKEN_GUESS_WINDOW_MINUTES"))
    guesses = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.ip_address == ip_address[:64],
            LoginAttempt.email == TOKEN_GUESS_MARKER,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    )
    return guesses >= _setting("TOKEN_GUESS_LIMIT")


def record_token_guess(session: Session, ip_address: str) -> None:
    record_attempt(session, TOKEN_GUESS_MARKER, ip_address, succeeded=False)


def refuse_unknown_link(session: Session, ip_address: str) -> NoReturn:
    """An unknown token: 429 past the limit (nothing written), else count the guess and answer 404.

    The 404 is the same as for any unknown URL. Counting runs in its own short write transaction.
    """
    with write_transaction(session):
        throttled = too_many_token_guesses(session, ip_address)
        if not throttled:
            record_token_guess(session, ip_address)
    abort(429 if throttled else 404)
