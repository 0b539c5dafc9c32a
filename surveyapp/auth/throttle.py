"""Login throttling, from LoginAttempt rows, so that a guesser is slowed but cannot lock the owner out.

Three rules; the longest wait wins, and while waiting the password is not checked:
- per (account, address) pair: LOGIN_PAIR_FREE_FAILURES failures are free, then each
  further attempt waits a delay that doubles per failure (LOGIN_PAIR_BASE_DELAY_SECONDS,
  2x, 4x... up to LOGIN_PAIR_MAX_DELAY_SECONDS), counted over LOGIN_PAIR_WINDOW_HOURS
  since the pair's last success;
- per account: after LOGIN_MAX_FAILURES_PER_ACCOUNT failures from anywhere within
  LOGIN_THROTTLE_MINUTES (since its last success), addresses the owner has signed in
  from (within LOGIN_KNOWN_ADDRESS_DAYS) are only slowed to one attempt per
  LOGIN_KNOWN_ADDRESS_SLOW_SECONDS; other addresses wait until the window passes.
  Unknown email addresses are counted the same way, so the answer tells nothing about
  which accounts exist;
- per address: LOGIN_MAX_FAILURES_PER_ADDRESS failures within LOGIN_THROTTLE_MINUTES,
  whatever the accounts, and the address waits until the window passes.
Addresses are request.remote_addr: X-Forwarded-For counts only behind a configured proxy.

Guessing of respondents' link tokens is throttled from the same table: each
unknown token in a URL (/s/<token>, its pages, opt-out and unsubscribe, /p/<key>)
is a failed row with the email set to TOKEN_GUESS_MARKER. After TOKEN_GUESS_LIMIT
of them from one address within TOKEN_GUESS_WINDOW_MINUTES, unknown tokens from
that address answer 429 until the oldest guesses leave the window. The table is
consulted only when a token is unknown: a valid token is never refused, and a
valid link's request costs no throttle query.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import NoReturn

from flask import abort, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..models import LoginAttempt, utcnow

DEFAULTS = {
    "LOGIN_PAIR_FREE_FAILURES": 3,
    "LOGIN_PAIR_BASE_DELAY_SECONDS": 2,
    "LOGIN_PAIR_MAX_DELAY_SECONDS": 900,
    "LOGIN_PAIR_WINDOW_HOURS": 24,
    "LOGIN_KNOWN_ADDRESS_DAYS": 90,
    "LOGIN_KNOWN_ADDRESS_SLOW_SECONDS": 10,
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


def _failures(*conditions):
    return (
        select(LoginAttempt.at)
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.email != TOKEN_GUESS_MARKER, *conditions)
        .order_by(LoginAttempt.at.desc())
    )


def _last_success(session: Session, *conditions) -> datetime | None:
    return session.scalar(select(func.max(LoginAttempt.at)).where(LoginAttempt.succeeded.is_(True), *conditions))


def _window_wait(session: Session, query, limit: int, window: timedelta, now: datetime) -> float:
    """Seconds until fewer than `limit` of the failures in `query` are within `window` (0: fewer already)."""
    limit_th = session.scalar(query.offset(limit - 1).limit(1))
    return max(0.0, (limit_th + window - now).total_seconds()) if limit_th is not None else 0.0


def sign_in_wait(session: Session, email: str, ip_address: str) -> int:
    """Seconds `ip_address` must wait before its next sign-in attempt for `email` (0: go ahead)."""
    now = utcnow()
    email, ip_address = email[:320], ip_address[:64]
    window = timedelta(minutes=_setting("LOGIN_THROTTLE_MINUTES"))
    waits = [0.0]

    # The pair: a delay that doubles with each failure past the free ones.
    pair = (LoginAttempt.email == email, LoginAttempt.ip_address == ip_address)
    pair_since = now - timedelta(hours=_setting("LOGIN_PAIR_WINDOW_HOURS"))
    pair_success = _last_success(session, *pair)
    if pair_success is not None:
        pair_since = max(pair_since, pair_success)
    pair_failures = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.succeeded.is_(False), LoginAttempt.at > pair_since, *pair
        )
    ).one()
    beyond = pair_failures[0] - _setting("LOGIN_PAIR_FREE_FAILURES")
    if beyond >= 0:
        delay = min(
            _setting("LOGIN_PAIR_BASE_DELAY_SECONDS") * 2 ** min(beyond, 30), _setting("LOGIN_PAIR_MAX_DELAY_SECONDS")
        )
        waits.append((pair_failures[1] + timedelta(seconds=delay) - now).total_seconds())

    # The account: many failures from anywhere block new addresses, and only slow the owner's own.
    account_since = now - window
    account_success = _last_success(session, LoginAttempt.email == email)
    if account_success is not None:
        account_since = max(account_since, account_success)
    account_failures = _failures(LoginAttempt.email == email, LoginAttempt.at > account_since)
    account_wait = _window_wait(session, account_failures, _setting("LOGIN_MAX_FAILURES_PER_ACCOUNT"), window, now)
    if account_wait > 0:
        known_since = now - timedelta(days=_setting("LOGIN_KNOWN_ADDRESS_DAYS"))
        if pair_success is not None and pair_success > known_since:
            last_try = session.scalar(select(func.max(LoginAttempt.at)).where(*pair))
            slow = timedelta(seconds=_setting("LOGIN_KNOWN_ADDRESS_SLOW_SECONDS"))
            waits.append((last_try + slow - now).total_seconds())
        else:
            waits.append(account_wait)

    # The address, whatever the accounts.
    address_failures = _failures(LoginAttempt.ip_address == ip_address, LoginAttempt.at > now - window)
    waits.append(_window_wait(session, address_failures, _setting("LOGIN_MAX_FAILURES_PER_ADDRESS"), window, now))
    return math.ceil(max(waits))


def is_throttled(session: Session, email: str, ip_address: str) -> bool:
    return sign_in_wait(session, email, ip_address) > 0


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
