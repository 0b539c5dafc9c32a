"""Creating and changing accounts (plain functions for the CLI and admin pages)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..models import ROLES, Survey, SurveyAssignment, SurveyEditor, User, UserSession, utcnow
from .passwords import hash_password, password_problem
from .tokens import revoke_all_tokens


class UserError(ValueError):
    """An account change refused, in words for the person who asked (in their interface language on a page);
    `field`: the form field it is about."""

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(
            gettext("'%(email)s' is not a valid email address: %(reason)s", email=email, reason=str(exc))
        ) from None


def create_user(session: Session, email: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise UserError(gettext("Role must be one of %(roles)s", roles=", ".join(ROLES)), field="role")
    email = normalise_email(email)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise UserError(gettext("An account for %(email)s exists already", email=email))
    problem = password_problem(password)
    if problem:
        raise UserError(problem, field="password")
    user = User(email=email, role=role, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise UserError(f"No account for {email}")
    return user


def end_all_sessions(session: Session, user: User) -> int:
    """End every live server-side session of `user` (deactivation, password change)."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password (same rules as a new account) and end the account's sessions."""
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)


def deactivate_user(session: Session, user: User) -> bool:
    """Stop an account signing in (kept for the audit trail); ends its sessions and revokes its API tokens.

    Returns False when it was inactive already.
    """
    was_active = user.active
    user.active = False
    revoke_all_tokens(session, user)
    end_all_sessions(session, user)
    return was_active


def reactivate_user(session: Session, user: User) -> bool:
    was_active = user.active
    user.active = True
    return not was_active


def set_assignments(session: Session, user: User, survey_ids: set[int]) -> tuple[set[int], set[int]]:
    """Assign a volunteer to exactly these interview surveys; returns (added, removed) survey ids."""
    if user.role != "volunteer":
        raise UserError(gettext("Only volunteers are assigned to interview surveys"))
    interview_ids = set(
        session.scalars(select(Survey.id).where(Survey.is_interview.is_(True), Survey.id.in_(survey_ids)))
    )
    if interview_ids != set(survey_ids):
        raise UserError(gettext("Volunteers can only be assigned to interview surveys"))
    current = {a.survey_id: a for a in user.assignments}
    added = interview_ids - set(current)
    removed = set(current) - interview_ids
    for survey_id in added:
        user.assignments.append(SurveyAssignment(survey_id=survey_id))
    for survey_id in removed:
        user.assignments.remove(current[survey_id])
    session.flush()
    return added, removed


def editor_survey_ids(session: Session, user: User) -> set[int]:
    return set(session.scalars(select(SurveyEditor.survey_id).where(SurveyEditor.user_id == user.id)))


def set_editor_surveys(session: Session, user: User, survey_ids: set[int]) -> tuple[set[int], set[int]]:
    """Allow an analyst to edit exactly these surveys in the questionnaire editor; returns (added, removed)."""
    if user.role != "analyst":
        raise UserError(gettext("Only analysts are allowed on surveys in the editor (admins may edit every survey)"))
    existing = set(session.scalars(select(Survey.id).where(Survey.id.in_(survey_ids))))
    if existing != set(survey_ids):
        raise UserError(gettext("There is no such survey"))
    current = editor_survey_ids(session, user)
    added, removed = existing - current, current - existing
    for survey_id in added:
        session.add(SurveyEditor(user_id=user.id, survey_id=survey_id))
    if removed:
        session.execute(
            delete(SurveyEditor).where(SurveyEditor.user_id == user.id, SurveyEditor.survey_id.in_(removed))
        )
    session.flush()
    return added, removed
