"""Password hashing with argon2id, and the rules a new password must meet.

argon2-cffi's defaults (argon2id, t=3, m=64 MiB, p=4) are above OWASP's current
minimum (argon2id with m=19 MiB, t=2, p=1); tests/test_auth.py asserts them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """A listed password, a listed one with digits or symbols around it, or a listed one repeated."""
    common = common_passwords()
    lowered = password.lower()
    if lowered in common:
        return True
    core = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)
    if len(core) >= 6 and core in common:
        return True
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered == lowered[:size] * (len(lowered) // size):
            unit = lowered[:size]
            return size <= 4 or unit in common
    return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in plain English, or None."""
    if len(password) < MIN_LENGTH:
        return gettext("Password must be %(min)s characters or more", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return gettext("Password must be %(max)s characters or fewer", max=MAX_LENGTH)
    if is_common(password):
        return gettext("Password is too common: choose one that is harder to guess, such as three or four random words")
    return None


# Spend the same time on unknown accounts as on known ones.
DUMMY_HASH = hash_password("not-a-real-password-for-timing")
