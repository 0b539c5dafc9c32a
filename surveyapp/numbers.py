"""Numbers from URLs: the one URL converter for ids and the one parser for query-string numbers.

Both accept ASCII digits only (`str.isdigit()` and `int()` also take '²' or '٣') and only values that fit the
database's integer, so a 30-digit id can never reach a query: an id route answers 404 for anything else;
`query_int()` answers 400 for a malformed number and 404 for one out of range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import abort, request
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # the largest value of a 32-bit signed INTEGER column (PostgreSQL, and what ids use)
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(text: str, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The integer `text` spells in ASCII digits, if it lies in minimum..maximum; None otherwise."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


class IdConverter(BaseConverter):
    """`<id:name>` in a route: 1..2**31-1 in ASCII digits, else the URL does not match (404)."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def query_int(
    name: str,
    default: int | None = None,
    *,
    minimum: int = 1,
    maximum: int = MAX_ID,
    args: Mapping[str, str] | None = None,
) -> int | None:
    """A number from the query string (`?page=2`): absent or empty gives `default`; anything that is not
    ASCII digits answers 400; a number outside minimum..maximum answers 404 (no such page or version)."""
    raw = (request.args if args is None else args).get(name, "")
    if raw == "":
        return default
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw.strip()):
        if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            abort(404)  # well-formed but too long to be any page or version
        abort(400, description=f"“{name}” must be a whole number.")
    number = int(raw.strip())
    if not minimum <= number <= maximum:
        abort(404)
    return number
