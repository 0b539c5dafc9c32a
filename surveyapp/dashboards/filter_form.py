"""The results page's filter form, as people fill it in, turned into the query string every dashboard link uses.

The form has one "Segment" list (each attribute's values grouped under it, so one choice and one Apply do it)
and dates typed the GOV.UK way (day, month and year boxes). The links, exports and the API keep the compact
names that `access.parse_filters` reads: `attr`, `value`, `from` and `to` (ISO dates).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

FORM_KEYS = ("segment", "from-day", "from-month", "from-year", "to-day", "to-month", "to-year")


def _not_a_date(key: str) -> str:
    if key == "from":
        return gettext("The start date must be a real date, for example 27 3 2026")
    return gettext("The end date must be a real date, for example 27 3 2026")


def _missing_parts(key: str, missing: list[str]) -> str:
    """“The start date must include a day and a month”: one whole sentence for each case, for translators."""
    start = key == "from"
    messages = {
        ("day",): (
            gettext("The start date must include a day") if start else gettext("The end date must include a day")
        ),
        ("month",): (
            gettext("The start date must include a month") if start else gettext("The end date must include a month")
        ),
        ("year",): (
            gettext("The start date must include a year") if start else gettext("The end date must include a year")
        ),
        ("day", "month"): (
            gettext("The start date must include a day and a month")
            if start
            else gettext("The end date must include a day and a month")
        ),
        ("day", "year"): (
            gettext("The start date must include a day and a year")
            if start
            else gettext("The end date must include a day and a year")
        ),
        ("month", "year"): (
            gettext("The start date must include a month and a year")
            if start
            else gettext("The end date must include a month and a year")
        ),
    }
    return messages[tuple(missing)]


def _typed_date(args, key: str, errors: list[dict]) -> str | None:
    """ISO text of the date typed in KEY-day, KEY-month, KEY-year; '' when all are empty; None when wrong."""
    parts = {p: (args.get(f"{key}-{p}") or "").strip() for p in ("day", "month", "year")}
    if not any(parts.values()):
        return ""
    missing = [p for p in ("day", "month", "year") if not parts[p]]
    if missing:
        errors.append({"text": _missing_parts(key, missing), "href": f"#{key}-{missing[0]}"})
        return None
    if not all(p.isdigit() for p in parts.values()) or len(parts["year"]) != 4:
        errors.append({"text": _not_a_date(key), "href": f"#{key}-day"})
        return None
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])).isoformat()
    except ValueError:
        errors.append({"text": _not_a_date(key), "href": f"#{key}-day"})
        return None


def canonical_args(args) -> tuple[MultiDict | None, list[dict]]:
    """(the query string to redirect to, errors) when the form's own fields were sent; (None, []) otherwise."""
    if not any(key in args for key in FORM_KEYS):
        return None, []
    errors: list[dict] = []
    # Empty fields ("All") are left out, so a filtered page's address says only what is filtered.
    out = MultiDict(
        (k, v) for k, v in args.items(multi=True) if v != "" and k not in FORM_KEYS and k not in ("attr", "value")
    )
    if "segment" in args:
        attribute, sep, value = (args.get("segment") or "").partition("=")
        if sep and attribute and value:
            out.add("attr", attribute)
            out.add("value", value)
    else:  # an old link's attr/value stay as they were
        for key in ("attr", "value"):
            for v in args.getlist(key):
                out.add(key, v)
    for key in ("from", "to"):
        if any(f"{key}-{p}" in args for p in ("day", "month", "year")):
            out.pop(key, None)
            typed = _typed_date(args, key, errors)
            if typed:
                out.add(key, typed)
    return out, errors


def date_parts(args, key: str, value: date | None) -> dict[str, str]:
    """What the day, month and year boxes show: what was typed (on an error) or the filter's date."""
    if any(f"{key}-{p}" in args for p in ("day", "month", "year")):
        return {p: args.get(f"{key}-{p}", "") for p in ("day", "month", "year")}
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
