"""What the web layer calls on every page: visibility, parsing a posted page, formatting.

Answers are a dict of question name -> typed value: str (text, single choice, yes_no,
likert), list[str] (multiple choice, in the order of the choices), int (integer,
rating), decimal.Decimal, datetime.date; a missing name or None means not answered.
Conditions only ever see answers to visible questions: call `prune_hidden()` on stored
answers before `is_visible()`/`visible_questions()` (`visible_pages()` prunes itself).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import expressions, types
from .definition import Choice, Page, Question, Questionnaire
from .messages import Message
from .types import MAX_NUMBER_LENGTH, format_date  # noqa: F401 (part of this module's interface)

Answers = dict[str, object]


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


# --- choice filters ------------------------------------------------------------------


def offered_choices(
    question: Question, answers: Mapping[str, object], today: datetime.date | None = None
) -> list[Choice]:
    """The choices offered now: those its `choice_filter` keeps for these answers (all without a filter).

    The filter is evaluated once per choice, in Python, on answers already loaded; the loader allows it
    only answers from earlier pages, so the list is the same when the page is rendered and when it is sent."""
    if not question.choice_filter:
        return question.choices
    try:
        expr = expressions.parse_choice_filter(question.choice_filter)
    except expressions.ExpressionError:  # the loader refuses these; offer nothing rather than fail a page
        return []
    return [c for c in question.choices if expressions.to_boolean(expr.evaluate(answers, c.columns, today))]


def with_offered_choices(
    question: Question, answers: Mapping[str, object], today: datetime.date | None = None
) -> Question:
    """The question itself without a choice filter, else a copy offering only the filtered choices."""
    if not question.choice_filter:
        return question
    offered = offered_choices(question, answers, today)
    if len(offered) == len(question.choices):
        return question
    narrowed = dataclasses.replace(question, choices=offered)
    narrowed.image_path = question.image_path  # not an init field: replace() drops it
    return narrowed


def page_with_offered_choices(page: Page, answers: Mapping[str, object], today: datetime.date | None = None) -> Page:
    """The page itself when no question on it filters its choices, else a copy with the offered choices."""
    questions = [with_offered_choices(q, answers, today) for q in page.questions]
    if all(a is b for a, b in zip(questions, page.questions, strict=True)):
        return page
    return dataclasses.replace(page, questions=questions)


def _offered_answer(question: Question, value, answers: Mapping[str, object], today) -> object:
    """A stored answer kept to the choices offered now (an earlier answer may have changed the list):
    a single choice or a ranking that is no longer possible is dropped (None), several choices keep
    those still offered."""
    allowed = {c.value for c in offered_choices(question, answers, today)}
    if isinstance(value, list):
        if question.question_type.storage is not None and question.question_type.storage.ordered:
            return value if set(value) == allowed else None
        kept = [v for v in value if v in allowed]
        return kept or None
    return value if value in allowed else None


# --- visibility --------------------------------------------------------------------


def is_visible(question: Question, answers: Mapping[str, object], today: datetime.date | None = None) -> bool:
    """True when the question's `relevant` condition holds (or it has none), and its choice filter (if
    any) leaves at least one choice: a question with nothing to choose from is not asked."""
    if question.relevant and not expressions.is_true(question.relevant, answers, today=today):
        return False
    return not question.choice_filter or bool(offered_choices(question, answers, today))


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
        changed = False
        for page in questionnaire.pages:
            page_visible = is_page_visible(page, pruned, today)
            for question in page.questions:
                if question.name not in pruned:
                    continue
                if not page_visible or not is_visible(question, pruned, today):
                    del pruned[question.name]
                    changed = True
                elif question.choice_filter and pruned[question.name] is not None:
                    kept = _offered_answer(question, pruned[question.name], pruned, today)
                    if kept != pruned[question.name]:
                        changed = True
                        if kept is None:
                            del pruned[question.name]
                        else:
                            pruned[question.name] = kept
        if not changed:
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


def with_answers_in_advance(page: Page, answers: Mapping[str, object]) -> Answers:
    """The answers with the defaults of the page's read-only and hidden questions not stored yet (what
    parse_page will give them), so that the page's conditions see them before the page is first sent."""
    merged = dict(answers)
    for question in page.questions:
        if question.answered_in_advance and merged.get(question.name) is None and question.default is not None:
            merged[question.name] = question.default_value
    return merged


# --- parsing a posted page ---------------------------------------------------------------


def field_id(question: Question) -> str:
    """The HTML id of the question's first input (GOV.UK Frontend conventions)."""
    return question.name + question.question_type.field_suffix


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
        if question.answered_in_advance:  # read-only or hidden: its default, whatever was posted
            result.values[question.name] = context[question.name] = question.default_value
            continue
        # only the choices offered (a choice filter): a value outside them is refused like any unknown value
        question = with_offered_choices(question, context, today)
        declared = question.question_type
        raw = declared.read(question, form)
        result.raw[question.name] = raw
        try:
            value = declared.parse(question, raw)
            if value is None:
                if question.required:
                    raise types.Invalid(question.required_message or declared.required_text(question))
            else:
                declared.check(question, value)
                if question.constraint and not expressions.is_true(
                    question.constraint, context, current=value, today=today
                ):
                    raise types.Invalid(question.constraint_message or Message("The answer is not valid"))
        except types.Invalid as problem:
            result.errors.append(FieldError(question.name, problem.args[0] if problem.args else "", field_id(question)))
            value = None
        result.values[question.name] = value
        context[question.name] = value
    return result


def as_posted(question: Question, value) -> dict[str, list[str]]:
    """A stored value as the form fields that would post it (to check stored answers again)."""
    if value is None or question.is_note:
        return {}
    return question.question_type.posted(question, value)


def stored_answer(question: Question, rows) -> object:
    """The typed answer from its stored rows (types.StoredValue), options in the form's order."""
    storage = question.question_type.storage
    value = storage.from_rows(rows)
    if storage.multiple and not storage.ordered:
        order = {c.value: i for i, c in enumerate(question.choices)}
        value.sort(key=lambda v: order.get(v, 0))
    return value


def answer_rows(question_type: str, value) -> list[dict]:
    """The answer rows' column values for a typed answer (key "choice": the option's value)."""
    storage = types.get(question_type).storage
    if storage is None or value is None or value == [] or value == "":
        return []
    return storage.to_rows(value)


# --- formatting -------------------------------------------------------------------------


def format_answer(question: Question, value) -> str:
    """The answer as plain text for the check-your-answers page."""
    if question.is_note:
        return ""
    if value is None or value == "" or value == []:
        return Message("Not answered")
    return question.question_type.format(question, value)
