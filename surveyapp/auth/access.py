"""The one access decorator and the survey-level access rule.

Every route that shows or changes a survey's data resolves the survey from the
object itself and calls `require_survey_access`, never trusting a URL parameter.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Survey, SurveyAssignment, SurveyEditor


def roles_required(*roles: str):
    """Signed in with one of `roles`; anonymous users go to /login, others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from ..extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the role/route matrix test
        return wrapped

    return decorator


def can_access_survey(user, survey: Survey) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in ("admin", "analyst"):
        return True
    if user.role == "volunteer":
        return (
            survey.is_interview
            and db.session.scalar(
                select(SurveyAssignment.id).where(
                    SurveyAssignment.user_id == user.id, SurveyAssignment.survey_id == survey.id
                )
            )
            is not None
        )
    return False


def require_survey_access(survey: Survey | None) -> Survey:
    if survey is None:
        abort(404)
    if not can_access_survey(current_user, survey):
        abort(403)
    return survey


def can_edit_survey(user, survey: Survey) -> bool:
    """The questionnaire editor: admins for every survey, analysts for the surveys an admin allowed them on."""
    if not user.is_authenticated:
        return False
    if user.role == "admin":
        return True
    if user.role == "analyst":
        return (
            db.session.scalar(
                select(SurveyEditor.id).where(SurveyEditor.user_id == user.id, SurveyEditor.survey_id == survey.id)
            )
            is not None
        )
    return False


def editable_survey_ids(user) -> set[int]:
    """The ids of the surveys an analyst may edit (for lists; admins may edit every survey)."""
    if not user.is_authenticated or user.role != "analyst":
        return set()
    return set(db.session.scalars(select(SurveyEditor.survey_id).where(SurveyEditor.user_id == user.id)))


def require_survey_editor(survey: Survey | None) -> Survey:
    if survey is None:
        abort(404)
    if not can_edit_survey(current_user, survey):
        abort(403)
    return survey


def home_for(user) -> str:
    """Where a signed-in person starts: volunteers their interviews, everyone else the admin pages."""
    if user.role == "volunteer":
        return url_for("interviews.index")
    return url_for("admin.index")
