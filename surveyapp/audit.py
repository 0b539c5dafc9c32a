"""The audit log: who did what, when and from where. Never answers, passwords or tokens."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from .models import AuditEvent, Survey


def record_audit(
    session: Session,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    survey: Survey | None = None,
    count: int | None = None,
    actor: str | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """Add an audit row in the caller's transaction (so it commits or rolls back with the change)."""
    ip = None
    if has_request_context():
        ip = request.remote_addr
        if actor is None and current_user.is_authenticated:
            actor, user_id = current_user.email, current_user.id
    event = AuditEvent(
        action=action,
        target=target,
        detail=(detail or None) and detail[:2000],
        survey_id=survey.id if survey is not None else None,
        count=count,
        actor=actor or ("cli" if not has_request_context() else "anonymous"),
        user_id=user_id,
        ip_address=ip,
    )
    session.add(event)
    return event
