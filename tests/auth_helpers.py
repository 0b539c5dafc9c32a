"""Accounts and sign-in for tests: real accounts, and a quick sign-in that creates a real server-side session."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from surveyapp.extensions import db
from surveyapp.models import Survey, SurveyAssignment, User, UserSession
from surveyapp.services.passwords import hash_password

PASSWORD = "plum-kettle-orbit-lantern"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test run


def make_user(email: str, role: str, active: bool = True) -> User:
    user = User(email=email, role=role, password_hash=_password_hash(), active=active)
    db.session.add(user)
    db.session.commit()
    return user


def assign(user: User, survey: Survey) -> None:
    db.session.add(SurveyAssignment(user_id=user.id, survey_id=survey.id))
    db.session.commit()


def sign_in(client, user: User) -> None:
    """Signed in as `user`, as /login would leave it (a UserSession row and its id in the cookie)."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=hashlib.sha256(session_id.encode()).hexdigest()))
    db.session.commit()
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True
        cookie["sid"] = session_id


def log_in(client, email: str, password: str = PASSWORD, **kwargs):
    """Through the real sign-in page."""
    return client.post("/login", data={"email": email, "password": password}, **kwargs)
