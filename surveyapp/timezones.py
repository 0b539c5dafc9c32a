"""Times are stored in UTC and shown in the organisation's time zone (SURVEYAPP_TIMEZONE, default Europe/London).

`localtime` is the one Jinja filter every template uses to show a time: `{{ invitation.emailed_at | localtime }}`
gives "20 Nov 2026, 12:00" (GMT or BST as the date requires); `| localtime('date')` gives "20 November 2026".
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app

FORMATS = {
    "datetime": "{d.day} {d:%b %Y}, {d:%H:%M}",
    "seconds": "{d.day} {d:%b %Y}, {d:%H:%M:%S}",
    "date": "{d.day} {d:%B %Y}",
    "short_date": "{d.day} {d:%b %Y}",
}


def to_local(value: datetime) -> datetime:
    """The same instant in the organisation's time zone; a naive value is taken to be UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(current_app.config.get("SURVEYAPP_TIMEZONE") or "Europe/London"))


def localtime(value: datetime | None, style: str = "datetime") -> str:
    if value is None:
        return ""
    return FORMATS[style].format(d=to_local(value))
