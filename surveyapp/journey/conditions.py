"""What a page needs for live show/hide in the browser (static/js/conditions.js); the server stays the authority.

Every question of the page whose condition holds is rendered as before. A question
whose condition does not hold is rendered too, hidden and disabled (so it is neither
seen nor submitted without JavaScript), when its condition refers to a question on
the same page, because answering that question in the browser can reveal it. A
hidden question whose condition refers only to other pages cannot change here and
is left out, as before.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass

from ..questionnaires import expressions, runtime
from ..questionnaires.definition import Page, Question


@dataclass(frozen=True)
class QuestionBlock:
    question: Question
    hidden: bool


def _references(question: Question) -> frozenset[str]:
    if not question.relevant:
        return frozenset()
    try:
        return expressions.parse(question.relevant).references
    except expressions.ExpressionError:  # the loader rejects these; never fail a page over one
        return frozenset()


def page_blocks(page: Page, answers) -> list[QuestionBlock]:
    """The questions to render, in order, each shown or hidden as the server decides now, each offering the
    choices its choice filter keeps (the filter uses earlier pages only, so the list cannot change here)."""
    answers = runtime.with_answers_in_advance(page, answers)  # read-only and hidden answers count already
    page = runtime.page_with_offered_choices(page, answers)
    on_page = {q.name for q in page.questions}
    visible = {q.name for q in runtime.visible_questions(page, answers)}
    blocks = []
    for question in page.questions:
        if question.name in visible:
            blocks.append(QuestionBlock(question, hidden=False))
        elif _references(question) & on_page and (not question.choice_filter or question.choices):
            blocks.append(QuestionBlock(question, hidden=True))
    return blocks


def _json_value(value):
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return {"date": value.date().isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def answers_for_browser(page: Page, answers) -> dict:
    """Stored answers from other pages (and read-only or hidden ones) that this page's conditions refer to, JSON-ready
    (dates as {"date": "YYYY-MM-DD"}); the template emits them with |tojson."""
    answers = runtime.with_answers_in_advance(page, answers)
    # read-only and hidden questions on this page have nothing to read in the browser: their answers go too
    on_page = {q.name for q in page.questions if not q.answered_in_advance}
    wanted = set().union(*(_references(q) for q in page.questions)) - on_page
    return {
        name: _json_value(answers[name]) for name in sorted(wanted) if name in answers and answers[name] is not None
    }
