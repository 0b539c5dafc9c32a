"""The engine's own messages to respondents ("Enter a whole number, like 12"), translatable later.

The engine has no Flask, so it cannot translate; it returns a `Message`: a str whose value is the English
text, carrying its msgid and named values, so the journey (surveyapp/i18n.translate) can show it in the
page's interface language. `N_` marks a string for extraction (pybabel) without translating it.
"""

from __future__ import annotations


def N_(msgid: str) -> str:
    return msgid


class Message(str):
    """English text of an interface message; `msgid` uses `%(name)s` placeholders filled from `values`."""

    msgid: str
    values: dict

    def __new__(cls, msgid: str, **values):
        self = super().__new__(cls, _fill(msgid, values))
        self.msgid, self.values = msgid, values
        return self

    def render(self, translated: str) -> str:
        return _fill(translated, self.values)


def _fill(text: str, values: dict) -> str:
    if not values:
        return text
    if "%(" in text:
        return text % values
    return text.format(**values)
