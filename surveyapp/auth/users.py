"""Creating and changing accounts (plain functions for the CLI and admin pages)."""
from __future__ import annotations

import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ROLES, User
from .passwords import hash_password, password_problem


class UserError(ValueError):
    pass


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(f"'{email}' is not a valid email address: {exc}") from None


def create_user(session: Session, email: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise UserError(f"Role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise UserError(f"An account for {email} exists already")
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    user = User(email=email, role=role, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    return user


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, email: str) -> str:
    """A new API token for the account (replacing any old one); only its hash is kept."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        raise UserError(f"No account for {email}")
    token = secrets.token_urlsafe(32)
    user.api_token_hash = api_token_hash(token)
    return token
