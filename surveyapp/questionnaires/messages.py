"""The engine's own messages to respondents ("Enter a whole number, like 12"), translatable later.

The engine has no Flask, so it cannot translate; it returns a `Message`: a str whose value is the English
text, carrying its msgid and named values, so the journey (surveyapp/i18n.translate) can show it in the
page's interface language. `N_` marks a string for extraction (pybabel) without translating it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def english_date(value: datetime.date) -> str:
    """A date as GOV.UK writes it: 5 October 2011."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def N_(msgid: str) -> str:
    return msgid


class Message(str):
    """English text of an interface message; `msgid` uses `%(name)s` placeholders filled from `values`.

    A value that is a date is written in the page's language when the message is rendered (month names too).
    """

    msgid: str
    values: dict

    def __new__(cls, msgid: str, **values):
        self = super().__new__(cls, _fill(msgid, values))
        self.msgid, self.values = msgid, values
        return self

    def render(
        self,
        translated: str,
        date_format: Callable[[datetime.date], str] | None = None,
        translate: Callable[[Message], str] | None = None,
    ) -> str:
        """`translated` (the msgid in the reader's language) filled with the values; a value that is itself a
        Message ("question 'age' on page 'about'") goes through `translate` too."""
        return _fill(translated, self.values, date_format, translate)


def _fill(
    text: str,
    values: dict,
    date_format: Callable[[datetime.date], str] | None = None,
    translate: Callable[[Message], str] | None = None,
) -> str:
    if not values:
        return text
    write_date = date_format or english_date
    values = {
        k: write_date(v) if type(v) is datetime.date else translate(v) if translate and isinstance(v, Message) else v
        for k, v in values.items()
    }
    if "%(" in text:
        return text % values
    return text.format(**values)
