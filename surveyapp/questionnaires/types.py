"""Question types, each declared once.

A `QuestionType` says everything the rest of the product needs to know about one
type of question: which definition keys it takes and what they default to, how a
posted answer is read, parsed, checked and formatted for "check your answers",
how it is stored in answer rows (`Storage`), how the dashboards aggregate and
chart it (`results`), how exports lay it out (`export`), which template macro
renders it, and how the browser's live conditions read its value (`value_kind`).

The loader, the runtime, the journey's storage, the dashboards, the exports and
static/js/conditions.js read these declarations; none of them lists types. Adding
a type is `register(QuestionType(...))` here plus one macro in
templates/respond/_questions.html (or another template named by `template`).

Plain Python: no Flask, no database.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import patterns
from .messages import N_, Message, english_date

QUESTIONS_TEMPLATE = "respond/_questions.html"
MAX_NUMBER_LENGTH = 30
INTEGER_RE = re.compile(r"-?\d+\Z")
DECIMAL_RE = re.compile(r"-?(\d+(\.\d*)?|\.\d+)\Z")

# How the dashboards aggregate and chart a type (analysis/figures.py and charts.py dispatch on these).
RESULTS_CHOICE = "choice"  # counts per option, bar chart
RESULTS_LIKERT = "likert"  # counts per option, diverging bar
RESULTS_NUMBER = "number"  # summary statistics and a histogram
RESULTS_DATE = "date"  # counts per day, week or month
RESULTS_TEXT = "text"  # a list of free-text answers
RESULTS_NONE = "none"  # nothing to show (notes)
RESULTS_RANK = "rank"  # the mean position of each option (rank)
RESULTS_TIME = "time"  # counts per hour of the day, shown as a choice question's options (09:00 to 09:59...)

# How exports lay a type out (analysis/exports.py).
EXPORT_OPTIONS = "option"  # one 0/1 column per option
EXPORT_CHOICE = "choice"  # one column: the option's value (or label)
EXPORT_NUMBER = "number"
EXPORT_DATE = "date"
EXPORT_TEXT = "text"
EXPORT_NONE = "none"
EXPORT_RANK = "rank"  # one column per option: its position (1 = first)

# Definition keys every question takes, and every question that has an answer.
COMMON_KEYS = frozenset({"name", "type", "label", "hint", "relevant", "image", "image_alt"})
# An answer given in advance: `default` (pre-filled, text as it would be typed, dates as YYYY-MM-DD, several
# choices separated by spaces) and `read_only` (shown, never posted: the answer is the default).
ANSWER_KEYS = COMMON_KEYS | {"required", "required_message", "constraint", "constraint_message", "default", "read_only"}
#: what a type that is never shown (`shown=False`, e.g. hidden) takes
UNSHOWN_KEYS = frozenset({"name", "type", "label", "relevant", "default"})


class Invalid(Exception):
    """A posted value that cannot be accepted; the message is shown to the person answering."""


# --- storage -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredValue:
    """One answer row as read back: the chosen option's value and the typed columns."""

    choice: str | None
    text: str | None
    number: float | None
    day: datetime.date | None


@dataclass(frozen=True)
class Storage:
    """How a type's answers are kept in `answer` rows (choice_id, value_text, value_number, value_date).

    `to_rows(value)` gives the column values of each row (key "choice" for the option's
    value, which the journey turns into a choice_id); `from_rows(rows)` reads them back.
    """

    name: str
    column: str | None  # the typed column the dashboards group by (None: the option)
    to_rows: Callable[[Any], list[dict]]
    from_rows: Callable[[Sequence[StoredValue]], Any]
    uses_choices: bool = False
    multiple: bool = False  # one row per chosen option
    ordered: bool = False  # the rows' order is the answer's (value_number: the position), not the options'

    @property
    def is_number(self) -> bool:
        return self.column == "value_number"

    @property
    def is_date(self) -> bool:
        return self.column == "value_date"


def _decimal_from_row(row: StoredValue) -> decimal.Decimal:
    try:
        return decimal.Decimal(row.text)
    except (decimal.InvalidOperation, TypeError):
        return decimal.Decimal(str(row.number))


STORE_CHOICE = Storage(
    "choice",
    None,
    to_rows=lambda v: [{"choice": v, "value_text": v}],
    from_rows=lambda rows: rows[0].choice,
    uses_choices=True,
)
STORE_CHOICES = Storage(
    "choices",
    None,
    to_rows=lambda v: [{"choice": item, "value_text": item} for item in v],
    from_rows=lambda rows: [r.choice for r in rows],
    uses_choices=True,
    multiple=True,
)
STORE_INTEGER = Storage(
    "integer",
    "value_number",
    to_rows=lambda v: [{"value_number": float(v), "value_text": str(v)}],
    from_rows=lambda rows: int(rows[0].number),
)
STORE_DECIMAL = Storage(
    "decimal",
    "value_number",
    to_rows=lambda v: [{"value_number": float(v), "value_text": str(v)}],
    from_rows=lambda rows: _decimal_from_row(rows[0]),
)
STORE_DATE = Storage(
    "date",
    "value_date",
    to_rows=lambda v: [{"value_date": v, "value_text": v.isoformat()}],
    from_rows=lambda rows: rows[0].day,
)
STORE_RANK = Storage(
    "rank",
    None,
    to_rows=lambda v: [{"choice": item, "value_text": item, "value_number": float(i)} for i, item in enumerate(v, 1)],
    from_rows=lambda rows: [r.choice for r in sorted(rows, key=lambda r: r.number or 0)],
    uses_choices=True,
    multiple=True,
    ordered=True,
)
STORE_TEXT = Storage(
    "text",
    "value_text",
    to_rows=lambda v: [{"value_text": str(v)}],
    from_rows=lambda rows: rows[0].text,
)
#: a time of day as value_text "HH:MM" (24-hour clock; sorts as text), and value_number its minutes after
#: midnight, which the dashboards count per hour in SQL (analysis/queries.distributions)
STORE_TIME = Storage(
    "time",
    "value_text",
    to_rows=lambda v: [{"value_text": v.strftime("%H:%M"), "value_number": float(v.hour * 60 + v.minute)}],
    from_rows=lambda rows: datetime.time.fromisoformat(rows[0].text),
)
#: a date and time: value_text the ISO text "YYYY-MM-DDTHH:MM" (the respondent's wall clock, no zone),
#: value_date its day (what the dashboards count by)
STORE_DATETIME = Storage(
    "datetime",
    "value_date",
    to_rows=lambda v: [{"value_date": v.date(), "value_text": v.isoformat(timespec="minutes")}],
    from_rows=lambda rows: datetime.datetime.fromisoformat(rows[0].text),
)


# --- helpers the declarations share --------------------------------------------------------


def quoted(question) -> str:
    return f"‘{question.label}’"


format_date = english_date  # 5 October 2011
JUST_THE_DATE = "%(date)s"  # not a literal in Message(...), so that pybabel does not extract it


def format_number(value) -> str:
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def getlist(form, name: str) -> list[str]:
    """Every posted value of a field (a MultiDict, or a plain dict of strings or lists)."""
    if hasattr(form, "getlist"):
        values = form.getlist(name)
    else:
        values = form.get(name, [])
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    return [v for v in values if isinstance(v, str)]


def first(form, name: str) -> str:
    values = getlist(form, name)
    return values[0] if values else ""


def read_first(question, form) -> str:
    return first(form, question.name)


def read_all(question, form) -> list[str]:
    return getlist(form, question.name)


def posted_as_text(question, value) -> dict[str, list[str]]:
    return {question.name: [str(value)]}


def no_check(question, value) -> None:
    return None


def default_as_posted(question, text: str) -> dict[str, list[str]]:
    """A default (text) as the form fields that would post it: the question's one field."""
    return {question.name: [text]}


def parse_text(question, raw) -> str | None:
    return raw.strip() or None


def parse_one_choice(question, raw) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if text not in {c.value for c in question.choices}:
        raise Invalid(Message("Select one of the options"))
    return text


def parse_integer(question, raw, message: str | None = None) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not INTEGER_RE.match(text) or len(text) > MAX_NUMBER_LENGTH:
        raise Invalid(message or Message("Enter a whole number, like 12"))
    return int(text)


def parse_decimal(question, raw) -> decimal.Decimal | None:
    text = raw.strip()
    if not text:
        return None
    if not DECIMAL_RE.match(text) or len(text) > MAX_NUMBER_LENGTH:
        raise Invalid(Message("Enter a number, like 12 or 3.5"))
    return decimal.Decimal(text)


def check_number_range(question, value) -> None:
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise Invalid(
                Message("Enter a number between %(min)s and %(max)s", min=format_number(low), max=format_number(high))
            )
        if low is not None:
            raise Invalid(Message("Enter a number that is %(min)s or more", min=format_number(low)))
        raise Invalid(Message("Enter a number that is %(max)s or less", max=format_number(high)))


def check_text(question, value: str) -> None:
    if question.min_length is not None and len(value) < question.min_length:
        raise Invalid(
            Message("%(label)s must be %(min)s characters or more", label=quoted(question), min=question.min_length)
        )
    if question.max_length is not None and len(value) > question.max_length:
        raise Invalid(
            Message("%(label)s must be %(max)s characters or less", label=quoted(question), max=question.max_length)
        )
    if question.pattern and not patterns.full_match(question.pattern, value):
        raise Invalid(
            question.pattern_message or Message("Enter %(label)s in the correct format", label=quoted(question))
        )


def format_choice(question, value) -> str:
    return question.choice_label(str(value))


def format_choices(question, value) -> str:
    values = value if isinstance(value, (list, tuple)) else str(value).split()
    return ", ".join(question.choice_label(v) for v in values)


def format_as_number(question, value) -> str:
    if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool):
        text = format_number(value)
        return f"{text} {question.suffix}" if question.suffix else text
    return str(value)


def format_as_text(question, value) -> str:
    return str(value)


def bound_integer(value):
    """A whole-number bound from the file, or None when it is not one."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def bound_decimal(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    if isinstance(value, int):
        return value
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return None
    return number if number.is_finite() else None


def bound_date(value):
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Bounds:
    """What `min` and `max` are for a type: how to read them from the file and what to call them."""

    parse: Callable[[Any], Any]  # the typed bound, or None when it is the wrong kind
    description: str  # for "'min' must be ..."
    to_json: Callable[[Any], Any] = lambda v: v


BOUNDS_INTEGER = Bounds(bound_integer, Message("a whole number"))
BOUNDS_DECIMAL = Bounds(
    bound_decimal, Message("a number"), to_json=lambda v: str(v) if isinstance(v, decimal.Decimal) else v
)
BOUNDS_DATE = Bounds(
    bound_date, Message("a date like %(example)s", example="2024-01-31"), to_json=lambda v: v.isoformat()
)


# --- the declaration --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class QuestionType:
    """Everything about one type of question, in one place (see the module docstring)."""

    name: str
    #: how answers are stored; None for types without an answer (notes)
    storage: Storage | None
    #: the template macro that renders it (in `template`)
    macro: str
    #: how static/js/conditions.js reads the value: none, text, integer, decimal, date, choice,
    #: choice-number (a checked radio read as a number) or choices (every ticked box)
    value_kind: str
    #: how the dashboards aggregate and chart it (RESULTS_*)
    results: str
    #: how exports lay it out (EXPORT_*)
    export: str
    #: definition keys it takes besides ANSWER_KEYS (or COMMON_KEYS without an answer)
    keys: frozenset[str] = frozenset()
    #: parse the raw posted value: typed value, None when empty; raises Invalid
    parse: Callable[[Any, Any], Any] = parse_text
    #: further checks of a parsed value (ranges, lengths, patterns); raises Invalid
    check: Callable[[Any, Any], None] = no_check
    #: the raw posted value from the form
    read: Callable[[Any, Any], Any] = read_first
    #: a stored value as the form fields that would post it (to re-check stored answers)
    posted: Callable[[Any, Any], dict[str, list[str]]] = posted_as_text
    #: the answer as plain text for "check your answers"
    format: Callable[[Any, Any], str] = format_as_text
    #: "Enter an answer for {label}" (the quoted label is filled in)
    required_message: str = N_("Enter an answer for {label}")
    #: suffix of the id of the first input (GOV.UK: dates focus the day field)
    field_suffix: str = ""
    #: min/max and their kind (None: the type takes no bounds)
    bounds: Bounds | None = None
    #: defaults filled in when a definition leaves them out (e.g. {"min": 0, "max": 10})
    defaults: dict = field(default_factory=dict)
    #: options when the definition gives none ((value, label) pairs); None: no options
    default_choices: tuple[tuple[str, str], ...] | None = None
    #: the answer is one of the question's options (`choices`)
    has_choices: bool = False
    #: the definition may give its own `choices` (a list or the name of a choice list)
    custom_choices: bool = False
    #: further checks of the definition: (bounds given, as typed) -> list of (key or None, message)
    check_definition: Callable[[dict, dict], list[tuple[str | None, str]]] | None = None
    #: the template that holds `macro`
    template: str = QUESTIONS_TEMPLATE
    #: shown to the person answering (False: a value kept with the answers, from its default, never shown)
    shown: bool = True
    #: a `default` (text from the definition) as the form fields that would post it
    default_form: Callable[[Any, str], dict[str, list[str]]] = default_as_posted

    @property
    def has_answer(self) -> bool:
        return self.storage is not None

    @property
    def needs_choices(self) -> bool:
        return self.custom_choices and self.default_choices is None

    @property
    def allowed_keys(self) -> frozenset[str]:
        if not self.shown:
            return UNSHOWN_KEYS
        base = ANSWER_KEYS if self.has_answer else COMMON_KEYS
        extra = {"choices", "choice_filter"} if self.custom_choices else set()
        if self.bounds is not None:
            extra |= {"min", "max"}
        return frozenset(base | self.keys | extra)

    def required_text(self, question) -> str:
        return Message(self.required_message, label=quoted(question))

    def typed_default(self, question, text: str):
        """The question's default as a typed answer (as if it had been posted); raises Invalid."""
        value = self.parse(question, self.read(question, self.default_form(question, text)))
        if value is not None:
            self.check(question, value)
        return value


_REGISTRY: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    """Add a type (or replace one of the same name); returns it."""
    _REGISTRY[question_type.name] = question_type
    return question_type


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get(name: str) -> QuestionType:
    """The declaration of a type; KeyError for a type nobody declared."""
    return _REGISTRY[name]


def names() -> tuple[str, ...]:
    """Every registered type, in the order they were declared."""
    return tuple(_REGISTRY)


def all_types() -> Iterable[QuestionType]:
    return tuple(_REGISTRY.values())


def names_where(test: Callable[[QuestionType], bool]) -> tuple[str, ...]:
    return tuple(t.name for t in _REGISTRY.values() if test(t))


# --- the built-in types -----------------------------------------------------------------


def _parse_choices(question, raw) -> list[str] | None:
    chosen = {v.strip() for v in raw if v.strip()}
    if not chosen:
        return None
    values = [c.value for c in question.choices]
    if not chosen <= set(values):
        raise Invalid(Message("Select only from the options shown"))
    return [v for v in values if v in chosen]


def _parse_rating(question, raw) -> int | None:
    return parse_integer(
        question, raw, Message("Select a number from %(min)s to %(max)s", min=question.min, max=question.max)
    )


def _check_rating(question, value) -> None:
    if not question.min <= value <= question.max:
        raise Invalid(Message("Select a number from %(min)s to %(max)s", min=question.min, max=question.max))


MAX_RATING_POINTS = 21


def _check_rating_definition(q: dict, bounds: dict) -> list[tuple[str | None, str]]:
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None:
        if low <= high and high - low + 1 > MAX_RATING_POINTS:
            return [("min", Message("a rating scale can have at most %(max)s points", max=MAX_RATING_POINTS))]
        return []
    low = 0 if low is None else low
    high = 10 if high is None else high
    if ("min" in bounds or "max" in bounds) and low > high:
        return [
            (None, Message("the rating scale runs from %(low)s to %(high)s, which is backwards", low=low, high=high))
        ]
    return []


def _read_date(question, form) -> dict[str, str]:
    return {part: first(form, f"{question.name}-{part}") for part in ("day", "month", "year")}


def _posted_date(question, value) -> dict[str, list[str]]:
    return {
        f"{question.name}-day": [str(value.day)],
        f"{question.name}-month": [str(value.month)],
        f"{question.name}-year": [str(value.year)],
    }


# What a date with empty parts says, by the parts missing (one message each, so each can be translated whole).
DATE_MISSING = {
    ("day",): Message("Date must include a day"),
    ("month",): Message("Date must include a month"),
    ("year",): Message("Date must include a year"),
    ("day", "month"): Message("Date must include a day and month"),
    ("day", "year"): Message("Date must include a day and year"),
    ("month", "year"): Message("Date must include a month and year"),
}


def _parse_date(question, raw: dict) -> datetime.date | None:
    parts = {k: (raw.get(k) or "").strip() for k in ("day", "month", "year")}
    if not any(parts.values()):
        return None
    missing = [k for k in ("day", "month", "year") if not parts[k]]
    if missing:
        raise Invalid(DATE_MISSING[tuple(missing)])
    if not all(v.isdigit() for v in parts.values()):
        raise Invalid(Message("Date must be a real date"))
    if len(parts["year"]) != 4:
        raise Invalid(Message("Year must include 4 numbers"))
    try:
        return datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise Invalid(Message("Date must be a real date")) from None


def _check_date(question, value) -> None:
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise Invalid(Message("Date must be between %(min)s and %(max)s", min=low, max=high))
        if low is not None:
            raise Invalid(Message("Date must be the same as or after %(min)s", min=low))
        raise Invalid(Message("Date must be the same as or before %(max)s", max=high))


def _format_date(question, value) -> str:
    # a Message, so that "check your answers" writes the month in the page's language
    return Message(JUST_THE_DATE, date=value) if type(value) is datetime.date else str(value)


# A time as typed: 14:30, 14.30, 9:05, 2:30pm, 2pm (the hint asks for the 24-hour clock; the rest is forgiven).
_TIME_RE = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?(?:\.?m\.?)?\Z", re.IGNORECASE)


def parse_time_text(text: str) -> datetime.time | None:
    """A time of day from what a person typed; None when empty; raises Invalid in GOV.UK's words."""
    text = text.strip()
    if not text:
        return None
    match = _TIME_RE.match(text)
    if not match or (match.group(2) is None and match.group(3) is None) or len(text) > 12:
        raise Invalid(Message("Enter a time, like 14:30"))
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise Invalid(Message("Enter a real time, like 14:30"))
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise Invalid(Message("Enter a real time, like 14:30"))
    return datetime.time(hour, minute)


def _parse_time(question, raw) -> datetime.time | None:
    return parse_time_text(raw if isinstance(raw, str) else "")


def _posted_time(question, value) -> dict[str, list[str]]:
    return {question.name: [value.strftime("%H:%M")]}


def _format_time(question, value) -> str:
    return value.strftime("%H:%M") if isinstance(value, datetime.time) else str(value)


def _read_datetime(question, form) -> dict[str, str]:
    return {part: first(form, f"{question.name}-{part}") for part in ("day", "month", "year", "time")}


def _posted_datetime(question, value) -> dict[str, list[str]]:
    return {**_posted_date(question, value.date()), f"{question.name}-time": [value.strftime("%H:%M")]}


def _parse_datetime(question, raw: dict) -> datetime.datetime | None:
    time_text = (raw.get("time") or "").strip()
    day = _parse_date(question, raw)
    if day is None and not time_text:
        return None
    if day is None:
        raise Invalid(Message("Date and time must include a date"))
    if not time_text:
        raise Invalid(Message("Date and time must include a time"))
    return datetime.datetime.combine(day, parse_time_text(time_text))


def _default_date_form(question, text: str) -> dict[str, list[str]]:
    day = bound_date(text.strip())
    if day is None:
        raise Invalid(Message("write it as %(form)s, like %(example)s", form="YYYY-MM-DD", example="2026-01-31"))
    return _posted_date(question, day)


def _default_datetime_form(question, text: str) -> dict[str, list[str]]:
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})", text.strip())
    day = bound_date(match.group(1)) if match else None
    if day is None:
        raise Invalid(
            Message("write it as %(form)s, like %(example)s", form="YYYY-MM-DDTHH:MM", example="2026-01-31T14:30")
        )
    return {**_posted_date(question, day), f"{question.name}-time": [match.group(2)]}


def _format_datetime(question, value) -> str:
    if isinstance(value, datetime.datetime):
        return Message("%(date)s at %(time)s", date=value.date(), time=value.strftime("%H:%M"))
    return str(value)


def _read_rank(question, form) -> list[str]:
    return [first(form, f"{question.name}-{position}") for position in range(1, len(question.choices) + 1)]


def _parse_rank(question, raw) -> list[str] | None:
    """Each position's option: every position filled, each option once (a complete order, as ODK's rank)."""
    chosen = [v.strip() for v in raw if isinstance(v, str)]
    if not any(chosen):
        return None
    labels = {c.value: c.label for c in question.choices}
    if any(v and v not in labels for v in chosen):
        raise Invalid(Message("Select only from the options shown"))
    seen = set()
    for value in chosen:
        if value and value in seen:
            raise Invalid(Message("Choose each option once: %(option)s is chosen more than once", option=labels[value]))
        seen.add(value)
    if not all(chosen) or len(chosen) < len(labels):
        raise Invalid(Message("Choose an option for every position, from 1 to %(last)s", last=len(labels)))
    return chosen


def _posted_rank(question, value) -> dict[str, list[str]]:
    return {f"{question.name}-{position}": [item] for position, item in enumerate(value, 1)}


def _default_rank_form(question, text: str) -> dict[str, list[str]]:
    return _posted_rank(question, text.split())


def _format_rank(question, value) -> str:
    values = value if isinstance(value, (list, tuple)) else str(value).split()
    return ", ".join(f"{position}. {question.choice_label(v)}" for position, v in enumerate(values, 1))


def _parse_long_text(question, raw) -> str | None:
    return raw.strip().replace("\r\n", "\n").replace("\r", "\n") or None


YES_NO_CHOICES = (("yes", "Yes"), ("no", "No"))
LIKERT_AGREEMENT_CHOICES = (
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
)
_ONE_CHOICE = {
    "storage": STORE_CHOICE,
    "value_kind": "choice",
    "export": EXPORT_CHOICE,
    "parse": parse_one_choice,
    "format": format_choice,
    "required_message": N_("Select an answer for {label}"),
    "has_choices": True,
    "custom_choices": True,
}
_TEXT_KEYS = frozenset({"min_length", "max_length"})

register(QuestionType("single_choice", macro="radios", results=RESULTS_CHOICE, **_ONE_CHOICE))
register(
    QuestionType(
        "multiple_choice",
        storage=STORE_CHOICES,
        macro="checkboxes",
        value_kind="choices",
        results=RESULTS_CHOICE,
        export=EXPORT_OPTIONS,
        read=read_all,
        parse=_parse_choices,
        posted=lambda question, value: {question.name: list(value)},
        default_form=lambda question, text: {question.name: text.split()},
        format=format_choices,
        required_message=N_("Select at least one answer for {label}"),
        has_choices=True,
        custom_choices=True,
    )
)
register(
    QuestionType(
        "likert",
        macro="radios",
        results=RESULTS_LIKERT,
        default_choices=LIKERT_AGREEMENT_CHOICES,
        **_ONE_CHOICE,
    )
)
register(
    QuestionType(
        "rating",
        storage=STORE_INTEGER,
        macro="scale",
        value_kind="choice-number",
        results=RESULTS_NUMBER,
        export=EXPORT_NUMBER,
        keys=frozenset({"min_label", "max_label"}),
        parse=_parse_rating,
        check=_check_rating,
        format=format_as_number,
        required_message=N_("Select an answer for {label}"),
        bounds=BOUNDS_INTEGER,
        defaults={"min": 0, "max": 10},
        check_definition=_check_rating_definition,
    )
)
register(
    QuestionType(
        "short_text",
        storage=STORE_TEXT,
        macro="text_input",
        value_kind="text",
        results=RESULTS_TEXT,
        export=EXPORT_TEXT,
        keys=_TEXT_KEYS | {"pattern", "pattern_message", "width"},
        check=check_text,
        defaults={"max_length": 500},
    )
)
register(
    QuestionType(
        "long_text",
        storage=STORE_TEXT,
        macro="textarea",
        value_kind="text",
        results=RESULTS_TEXT,
        export=EXPORT_TEXT,
        keys=_TEXT_KEYS,
        parse=_parse_long_text,
        check=check_text,
        defaults={"max_length": 5000},
    )
)
_NUMBER = {
    "value_kind": "decimal",
    "results": RESULTS_NUMBER,
    "export": EXPORT_NUMBER,
    "keys": frozenset({"suffix", "width"}),
    "check": check_number_range,
    "format": format_as_number,
    "required_message": N_("Enter a number for {label}"),
}
register(
    QuestionType(
        "integer",
        storage=STORE_INTEGER,
        macro="whole_number",
        parse=parse_integer,
        bounds=BOUNDS_INTEGER,
        **{**_NUMBER, "value_kind": "integer"},
    )
)
register(
    QuestionType(
        "decimal", storage=STORE_DECIMAL, macro="decimal_number", parse=parse_decimal, bounds=BOUNDS_DECIMAL, **_NUMBER
    )
)
register(
    QuestionType(
        "date",
        storage=STORE_DATE,
        macro="date_input",
        value_kind="date",
        results=RESULTS_DATE,
        export=EXPORT_DATE,
        read=_read_date,
        parse=_parse_date,
        check=_check_date,
        posted=_posted_date,
        default_form=lambda question, text: _default_date_form(question, text),
        format=_format_date,
        required_message=N_("Enter a date for {label}"),
        field_suffix="-day",
        bounds=BOUNDS_DATE,
    )
)
register(
    QuestionType(
        "yes_no",
        macro="yes_no",
        results=RESULTS_CHOICE,
        keys=frozenset({"consent"}),
        default_choices=YES_NO_CHOICES,
        **{**_ONE_CHOICE, "custom_choices": False},
    )
)
register(
    QuestionType(
        "time",
        storage=STORE_TIME,
        macro="time_input",
        value_kind="text",
        results=RESULTS_TIME,
        export=EXPORT_TEXT,
        parse=_parse_time,
        posted=_posted_time,
        format=_format_time,
        required_message=N_("Enter a time for {label}"),
    )
)
register(
    QuestionType(
        "datetime",
        storage=STORE_DATETIME,
        macro="datetime_input",
        value_kind="date",
        results=RESULTS_DATE,
        export=EXPORT_TEXT,
        read=_read_datetime,
        parse=_parse_datetime,
        posted=_posted_datetime,
        default_form=lambda question, text: _default_datetime_form(question, text),
        format=_format_datetime,
        required_message=N_("Enter a date and time for {label}"),
        field_suffix="-day",
    )
)
register(
    QuestionType(
        "rank",
        storage=STORE_RANK,
        macro="rank",
        value_kind="rank",
        results=RESULTS_RANK,
        export=EXPORT_RANK,
        read=_read_rank,
        parse=_parse_rank,
        posted=_posted_rank,
        default_form=_default_rank_form,
        format=_format_rank,
        required_message=N_("Put the options in order for {label}"),
        field_suffix="-1",
        has_choices=True,
        custom_choices=True,
    )
)
register(
    QuestionType(
        "hidden",
        storage=STORE_TEXT,
        macro="hidden_value",
        value_kind="text",
        results=RESULTS_TEXT,
        export=EXPORT_TEXT,
        shown=False,
    )
)
register(
    QuestionType(
        "note",
        storage=None,
        macro="note",
        value_kind="none",
        results=RESULTS_NONE,
        export=EXPORT_NONE,
    )
)

BUILT_IN = names()
