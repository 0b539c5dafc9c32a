"""The audit log for admins: filter by action, user and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import g, render_template, request
from flask_babel import gettext
from sqlalchemy import select

from ..auth.access import roles_required
from ..extensions import db
from ..models import AuditEvent, User
from ..numbers import query_int
from . import bp

PAGE_SIZE = 200


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_query(action: str | None, user_id: int | None, since: date | None, until: date | None):
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    return query


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    g.read_only = True
    action = request.args.get("action") or None
    user_id = query_int("user")
    since, until = _day(request.args.get("from")), _day(request.args.get("to"))
    errors = [
        {"text": message, "href": f"#{name}"}
        for name, message, parsed in (
            ("from", gettext("Enter the from date as YYYY-MM-DD"), since),
            ("to", gettext("Enter the to date as YYYY-MM-DD"), until),
        )
        if request.args.get(name) and parsed is None
    ]
    pagination = db.paginate(
        audit_query(action, user_id, since, until),
        page=query_int("page", 1),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    actions = list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
    people = list(db.session.execute(select(User.id, User.email).order_by(User.email)).all())
    return render_template(
        "admin/audit_log.html",
        title=gettext("Audit log"),
        events=pagination.items,
        total=pagination.total,
        page=pagination.page,
        pages=max(1, pagination.pages),
        actions=actions,
        people=people,
        filters={
            "action": action or "",
            "user": user_id,
            "from": request.args.get("from", ""),
            "to": request.args.get("to", ""),
        },
        errors=errors,
    )
