"""What every dashboard and API view does first: find the survey, check the user may see it, pick disclosure."""

from __future__ import annotations

from datetime import date

from flask import abort, g, request
from flask_babel import gettext
from flask_login import current_user

from .. import web
from ..analysis.disclosure import Disclosure
from ..analysis.queries import Filters
from ..audit import record_audit
from ..auth.access import require_survey_access
from ..extensions import db
from ..models import Survey
from ..models.responses import COLLECTION_MODES
from ..numbers import query_int

EXACT_ROLES = ("admin", "analyst")


def wants_exact() -> bool:
    return request.args.get("exact") in ("1", "true", "yes")


def mark_read_only(writes: bool = False) -> None:
    """Before the first query: a GET that writes nothing runs in a plain (not IMMEDIATE) transaction."""
    g.read_only = request.method in ("GET", "HEAD") and not writes and not wants_exact()


def survey_or_404(slug: str) -> Survey:
    return require_survey_access(web.survey_or_404(slug))


def disclosure_for(survey: Survey, where: str, force: bool = False) -> Disclosure:
    """Disclosure control on unless an analyst or admin asked for exact figures (audited) and `force` is off."""
    if force or not wants_exact():
        return Disclosure.for_survey(survey)
    if current_user.role not in EXACT_ROLES:
        abort(403)
    record_audit(
        db.session, "results.exact_figures", target=where, survey=survey, detail=f"{request.method} {request.path}"
    )
    db.session.commit()
    g.read_only = True  # the audit row is in: the rest of the request only reads
    return Disclosure.for_survey(survey, enabled=False)


def parse_filters(args) -> tuple[Filters, list[dict]]:
    """Filters from the query string, and error-summary entries for the values that make no sense."""
    errors = []

    def day(key: str):
        raw = (args.get(key) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            message = (
                gettext("The start date must be a date like 2026-03-27")
                if key == "from"
                else gettext("The end date must be a date like 2026-03-27")
            )
            errors.append({"text": message, "href": f"#{key}"})
            return None

    mode = args.get("mode") or None
    if mode and mode not in COLLECTION_MODES:
        errors.append({"text": gettext("Choose a collection mode from the list"), "href": "#mode"})
        mode = None
    filters = Filters(
        attribute=args.get("attr") or None,
        values=tuple(v for v in args.getlist("value") if v),
        mode=mode,
        date_from=day("from"),
        date_to=day("to"),
        version=query_int("version", args=args),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append({"text": gettext("The start date must be on or before the end date"), "href": "#from"})
    return filters, errors
