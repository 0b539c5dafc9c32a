"""Times are stored in UTC and shown in the organisation's time zone (SURVEYAPP_TIMEZONE, default Europe/London).

`localtime` is the one Jinja filter every template uses to show a time or a date: `{{ invitation.emailed_at |
localtime }}` gives "20 Nov 2026, 12:00" (GMT or BST as the date requires); `| localtime('date')` gives
"20 November 2026"; `| localtime('utc')` gives "20 Nov 2026 12:00" in UTC (for a page that says so); a plain
date (a meeting date, a closing date) is written as a date, with no time zone.
On a page in Welsh or Urdu the months are named in that language by Babel ("20 Tachwedd 2026"); English keeps
the GOV.UK style above.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import current_app

from .i18n import SOURCE_LANGUAGE, current_interface_language

FORMATS = {
    "datetime": "{d.day} {d:%b %Y}, {d:%H:%M}",
    "seconds": "{d.day} {d:%b %Y}, {d:%H:%M:%S}",
    "date": "{d.day} {d:%B %Y}",
    "short_date": "{d.day} {d:%b %Y}",
    "utc": "{d.day} {d:%b %Y} {d:%H:%M}",  # in UTC, for pages that say so (API tokens)
}
#: The same styles as Babel patterns, for the interface languages other than English.
BABEL_FORMATS = {
    "datetime": "d MMM y, HH:mm",
    "seconds": "d MMM y, HH:mm:ss",
    "date": "d MMMM y",
    "short_date": "d MMM y",
    "utc": "d MMM y HH:mm",
}


def to_local(value: datetime) -> datetime:
    """The same instant in the organisation's time zone; a naive value is taken to be UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(current_app.config.get("SURVEYAPP_TIMEZONE") or "Europe/London"))


def localtime(value: datetime | date | None, style: str = "datetime") -> str:
    if value is None:
        return ""
    language = current_interface_language()
    if not isinstance(value, datetime):  # a calendar date: no time zone, no time of day
        style = "short_date" if style == "short_date" else "date"
        if language == SOURCE_LANGUAGE:
            return FORMATS[style].format(d=value)
        return format_date(value, BABEL_FORMATS[style], locale=language)
    value = value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC) if style == "utc" else to_local(value)
    if language == SOURCE_LANGUAGE:
        return FORMATS[style].format(d=value)
    return format_datetime(value, BABEL_FORMATS[style], tzinfo=value.tzinfo, locale=language)
