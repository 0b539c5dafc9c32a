"""Rendering a questionnaire page: the one function both respondents' and volunteers' views call."""

from __future__ import annotations

from flask import render_template

from ..questionnaires.definition import Page, Questionnaire
from ..questionnaires.runtime import Answers, FieldError
from . import flow as journey
from .conditions import answers_for_browser, page_blocks


def render_page(
    questionnaire: Questionnaire,
    page_def: Page,
    answers: Answers,
    nav,
    changing: bool,
    errors: list[FieldError] | None = None,
    raw: dict | None = None,
    notice: str | None = None,
    back_when_first: str | None = None,
):
    """The page with its visible questions, errors (linked to their fields) and what was typed.

    `back_when_first` is where Back goes from the first page (None: no Back link).
    """
    previous = journey.CHECK_PAGE if changing else journey.previous_page_name(questionnaire, answers, page_def.name)
    names = journey.page_names(questionnaire, answers)
    return render_template(
        "respond/page.html",
        title=page_def.title or questionnaire.title,
        questionnaire=questionnaire,
        page=page_def,
        blocks=page_blocks(page_def, answers),
        condition_answers=answers_for_browser(page_def, answers),
        answers=answers,
        raw=raw or {},
        field_errors={e.name: e.message for e in (errors or [])},
        errors=[{"text": e.message, "href": f"#{e.field_id}"} for e in (errors or [])],
        back_url=nav.page(previous) if previous else back_when_first,
        nav=nav,
        action=nav.page(page_def.name, change=changing),
        notice=notice,
        progress=(names.index(page_def.name) + 1, len(names)) if page_def.name in names else None,
    )
