"""What the web layer calls on every page: visibility, parsing a posted page, formatting.

Answers are a dict of question name -> typed value: str (text, single choice, yes_no,
likert), list[str] (multiple choice, in the order of the choices), int (integer,
rating), decimal.Decimal, datetime.date; a missing name or None means not answered.
Conditions only ever see answers to visible questions: call `prune_hidden()` on stored
answers before `is_visible()`/`visible_questions()` (`visible_pages()` prunes itself).
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import expressions
from .definition import Page, Question, Questionnaire

Answers = dict[str, object]

MAX_NUMBER_LENGTH = 30
_INTEGER_RE = re.compile(r"-?\d+\Z")
_DECIMAL_RE = re.compile(r"-?(\d+(\.\d*)?|\.\d+)\Z")
_MONTHS = (
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
_SINGLE_CHOICE_TYPES = {"single_choice", "likert", "yes_no"}


@dataclass
class FieldError:
    name: str
    message: str
    field_id: str


@dataclass
class PageResult:
    values: Answers = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    """A value that cannot be accepted; the message is shown to the respondent."""


# --- visibility --------------------------------------------------------------------


def is_visible(question: Question, answers: Mapping[str, object], today: datetime.date | None = None) -> bool:
    """True when the question's `relevant` condition holds (or it has none)."""
    if not question.relevant:
        return True
    return expressions.is_true(question.relevant, answers, today=today)


def is_page_visible(page: Page, answers: Mapping[str, object], today: datetime.date | None = None) -> bool:
    """True when the page-level `relevant` condition holds (questions not considered)."""
    return not page.relevant or expressions.is_true(page.relevant, answers, today=today)


def visible_questions(page: Page, answers: Mapping[str, object], today: datetime.date | None = None) -> list[Question]:
    """The page's questions (notes included) whose conditions hold, in order.

    Questions see answers to earlier hidden questions on the same page as unanswered.
    """
    context = dict(answers)
    visible = []
    for question in page.questions:
        if is_visible(question, context, today):
            visible.append(question)
        else:
            context.pop(question.name, None)
    return visible


def prune_hidden(
    questionnaire: Questionnaire, answers: Mapping[str, object], today: datetime.date | None = None
) -> Answers:
    """The answers without those of hidden questions (or of questions on hidden pages)."""
    pruned = dict(answers)
    for _ in range(len(questionnaire.all_questions()) + 1):
        before = len(pruned)
        for page in questionnaire.pages:
            page_visible = is_page_visible(page, pruned, today)
            for question in page.questions:
                if not page_visible or not is_visible(question, pruned, today):
                    pruned.pop(question.name, None)
        if len(pruned) == before:
            break
    return pruned


def visible_pages(
    questionnaire: Questionnaire, answers: Mapping[str, object], today: datetime.date | None = None
) -> list[Page]:
    """Pages whose condition holds and that have at least one visible question or note."""
    pruned = prune_hidden(questionnaire, answers, today)
    return [
        page
        for page in questionnaire.pages
        if is_page_visible(page, pruned, today) and visible_questions(page, pruned, today)
    ]


# --- parsing a posted page ---------------------------------------------------------------


def field_id(question: Question) -> str:
    """The HTML id of the question's first input (GOV.UK Frontend conventions)."""
    return f"{question.name}-day" if question.type == "date" else question.name


def _getlist(form, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        values = form.getlist(name)
    else:
        values = form.get(name, [])
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    return [v for v in values if isinstance(v, str)]


def _first(form, name: str) -> str:
    values = _getlist(form, name)
    return values[0] if values else ""


def parse_page(page: Page, form, answers: Mapping[str, object], today: datetime.date | None = None) -> PageResult:
    """Coerce and validate a posted page; values and errors only for visible questions.

    Questions are taken in order, each seeing the answers merged with the values
    already parsed on this page, so a question can depend on an earlier one here.
    """
    today = today or datetime.date.today()
    result = PageResult()
    context = dict(answers)
    for question in page.questions:
        if not is_visible(question, context, today):
            context.pop(question.name, None)
            continue
        if question.is_note:
            continue
        raw = _raw_input(question, form)
        result.raw[question.name] = raw
        try:
            value = _coerce(question, raw)
            if value is None:
                if question.required:
                    raise _Invalid(question.required_message or _required_message(question))
            else:
                _check_limits(question, value)
                if question.constraint and not expressions.is_true(
                    question.constraint, context, current=value, today=today
                ):
                    raise _Invalid(question.constraint_message or "The answer is not valid")
        except _Invalid as problem:
            result.errors.append(FieldError(question.name, str(problem), field_id(question)))
            value = None
        result.values[question.name] = value
        context[question.name] = value
    return result


def _raw_input(question: Question, form) -> object:
    if question.type == "date":
        return {part: _first(form, f"{question.name}-{part}") for part in ("day", "month", "year")}
    if question.type == "multiple_choice":
        return _getlist(form, question.name)
    return _first(form, question.name)


def _quoted(question: Question) -> str:
    return f"‘{question.label}’"


def _required_message(question: Question) -> str:
    if question.type == "multiple_choice":
        return f"Select at least one answer for {_quoted(question)}"
    if question.is_choice or question.type == "rating":
        return f"Select an answer for {_quoted(question)}"
    if question.type == "date":
        return f"Enter a date for {_quoted(question)}"
    if question.type in ("integer", "decimal"):
        return f"Enter a number for {_quoted(question)}"
    return f"Enter an answer for {_quoted(question)}"


def _coerce(question: Question, raw) -> object:
    """The typed value of the raw input, None when empty; raises _Invalid."""
    qtype = question.type
    if qtype == "date":
        return _coerce_date(raw)
    if qtype == "multiple_choice":
        chosen = {v.strip() for v in raw if v.strip()}
        if not chosen:
            return None
        values = [c.value for c in question.choices]
        if not chosen <= set(values):
            raise _Invalid("Select only from the options shown")
        return [v for v in values if v in chosen]
    text = raw.strip()
    if qtype == "long_text":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return None
    if qtype in _SINGLE_CHOICE_TYPES:
        if text not in {c.value for c in question.choices}:
            raise _Invalid("Select one of the options")
        return text
    if qtype == "rating":
        if not _INTEGER_RE.match(text) or len(text) > MAX_NUMBER_LENGTH:
            raise _Invalid(f"Select a number from {question.min} to {question.max}")
        return int(text)
    if qtype == "integer":
        if not _INTEGER_RE.match(text) or len(text) > MAX_NUMBER_LENGTH:
            raise _Invalid("Enter a whole number, like 12")
        return int(text)
    if qtype == "decimal":
        if not _DECIMAL_RE.match(text) or len(text) > MAX_NUMBER_LENGTH:
            raise _Invalid("Enter a number, like 12 or 3.5")
        return decimal.Decimal(text)
    return text


def _coerce_date(raw: dict) -> datetime.date | None:
    parts = {k: (raw.get(k) or "").strip() for k in ("day", "month", "year")}
    if not any(parts.values()):
        return None
    missing = [k for k in ("day", "month", "year") if not parts[k]]
    if missing:
        raise _Invalid("Date must include a " + " and ".join(missing))
    if not all(v.isdigit() for v in parts.values()):
        raise _Invalid("Date must be a real date")
    if len(parts["year"]) != 4:
        raise _Invalid("Year must include 4 numbers")
    try:
        return datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise _Invalid("Date must be a real date") from None


def _check_limits(question: Question, value) -> None:
    qtype = question.type
    if qtype == "rating":
        if not question.min <= value <= question.max:
            raise _Invalid(f"Select a number from {question.min} to {question.max}")
    elif qtype in ("integer", "decimal"):
        low, high = question.min, question.max
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                raise _Invalid(f"Enter a number between {_number(low)} and {_number(high)}")
            if low is not None:
                raise _Invalid(f"Enter a number that is {_number(low)} or more")
            raise _Invalid(f"Enter a number that is {_number(high)} or less")
    elif qtype == "date":
        low, high = question.min, question.max
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                raise _Invalid(f"Date must be between {format_date(low)} and {format_date(high)}")
            if low is not None:
                raise _Invalid(f"Date must be the same as or after {format_date(low)}")
            raise _Invalid(f"Date must be the same as or before {format_date(high)}")
    elif qtype in ("short_text", "long_text"):
        if question.min_length is not None and len(value) < question.min_length:
            raise _Invalid(f"{_quoted(question)} must be {question.min_length} characters or more")
        if question.max_length is not None and len(value) > question.max_length:
            raise _Invalid(f"{_quoted(question)} must be {question.max_length} characters or less")
        if question.pattern and not _full_match(question.pattern, value):
            raise _Invalid(question.pattern_message or f"Enter {_quoted(question)} in the correct format")


def _full_match(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


# --- formatting -------------------------------------------------------------------------


def format_date(value: datetime.date) -> str:
    """A date as GOV.UK writes it: 5 October 2011."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _number(value) -> str:
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def format_answer(question: Question, value) -> str:
    """The answer as plain text for the check-your-answers page."""
    if question.is_note:
        return ""
    if value is None or value == "" or value == []:
        return "Not answered"
    if question.type == "multiple_choice":
        values = value if isinstance(value, (list, tuple)) else str(value).split()
        return ", ".join(question.choice_label(v) for v in values)
    if question.is_choice:
        return question.choice_label(str(value))
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool):
        text = _number(value)
        return f"{text} {question.suffix}" if question.suffix else text
    return str(value)
