"""The respondent's journey through a questionnaire, shared by links, public links and interviews.

Plain functions over a session: load the answers of a response, save a page,
work out the next page, check completeness and submit exactly once. The web
views (respond/, interviews/) only parse requests and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models import Answer, Choice, Question, Response, SurveyVersion, utcnow
from ..questionnaires import runtime
from ..questionnaires.definition import Page, Questionnaire
from ..questionnaires.types import StoredValue

CHECK_PAGE = "__check__"


@dataclass(frozen=True)
class QuestionRow:
    id: int
    choice_ids: dict[str, int]  # choice value -> choice.id
    choice_values: dict[int, str]


def questionnaire_of(version: SurveyVersion) -> Questionnaire:
    return Questionnaire.from_dict(version.definition)


def question_rows(session: Session, version_id: int) -> dict[str, QuestionRow]:
    rows = session.execute(
        select(Question.id, Question.name, Choice.id, Choice.value)
        .outerjoin(Choice, Choice.question_id == Question.id)
        .where(Question.version_id == version_id)
    ).all()
    by_name: dict[str, tuple[int, dict[str, int]]] = {}
    for qid, name, cid, value in rows:
        entry = by_name.setdefault(name, (qid, {}))
        if cid is not None:
            entry[1][value] = cid
    return {
        name: QuestionRow(qid, choices, {v: k for k, v in choices.items()}) for name, (qid, choices) in by_name.items()
    }


def load_answers(session: Session, response: Response, questionnaire: Questionnaire) -> runtime.Answers:
    """The typed answers of a response, as the engine expects them (each type reads its own rows)."""
    rows = session.execute(
        select(Question.name, Choice.value, Answer.value_text, Answer.value_number, Answer.value_date)
        .join(Question, Answer.question_id == Question.id)
        .outerjoin(Choice, Answer.choice_id == Choice.id)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    ).all()
    stored: dict[str, list[StoredValue]] = {}
    for name, choice_value, text, number, day in rows:
        stored.setdefault(name, []).append(StoredValue(choice_value, text, number, day))
    by_name = {q.name: q for q in questionnaire.all_questions()}
    return {name: runtime.stored_answer(by_name[name], values) for name, values in stored.items() if name in by_name}


def _answer_rows(row: QuestionRow, qtype: str, value) -> list[Answer]:
    answers = []
    for columns in runtime.answer_rows(qtype, value):
        choice = columns.pop("choice", None)
        choice_id = row.choice_ids[choice] if choice is not None else None
        answers.append(Answer(question_id=row.id, choice_id=choice_id, **columns))
    return answers


def save_answers(
    session: Session,
    response: Response,
    questionnaire: Questionnaire,
    new_values: runtime.Answers,
    replaced_names: list[str],
) -> runtime.Answers:
    """Store a page's answers, then drop answers that later questions' conditions now hide.

    Returns the pruned answers. Runs inside the caller's transaction.
    """
    answers = load_answers(session, response, questionnaire)
    for name in replaced_names:
        answers.pop(name, None)
    answers.update({k: v for k, v in new_values.items() if v is not None})
    pruned = runtime.prune_hidden(questionnaire, answers)
    rows = question_rows(session, response.version_id)
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    for q in questionnaire.all_questions():
        if q.name in pruned and q.name in rows:
            for answer in _answer_rows(rows[q.name], q.type, pruned[q.name]):
                answer.response_id = response.id
                session.add(answer)
    response.updated_at = utcnow()
    return pruned


def page_names(questionnaire: Questionnaire, answers: runtime.Answers) -> list[str]:
    return [p.name for p in runtime.visible_pages(questionnaire, answers)]


def next_page_name(questionnaire: Questionnaire, answers: runtime.Answers, current: str) -> str:
    names = page_names(questionnaire, answers)
    all_names = [p.name for p in questionnaire.pages]
    # The next visible page after `current` in form order (current may have become hidden).
    start = all_names.index(current) if current in all_names else -1
    for name in all_names[start + 1 :]:
        if name in names:
            return name
    return CHECK_PAGE


def previous_page_name(questionnaire: Questionnaire, answers: runtime.Answers, current: str) -> str | None:
    names = page_names(questionnaire, answers)
    if current == CHECK_PAGE:
        return names[-1] if names else None
    all_names = [p.name for p in questionnaire.pages]
    if current not in all_names:
        return None
    for name in reversed(all_names[: all_names.index(current)]):
        if name in names:
            return name
    return None


def first_page_name(questionnaire: Questionnaire, answers: runtime.Answers) -> str:
    names = page_names(questionnaire, answers)
    return names[0] if names else CHECK_PAGE


def first_incomplete_page(
    questionnaire: Questionnaire, answers: runtime.Answers
) -> tuple[str, list[runtime.FieldError]] | None:
    """The first visible page with a required question unanswered, and its errors; None when complete."""
    for page in runtime.visible_pages(questionnaire, answers):
        missing = [
            q
            for q in runtime.visible_questions(page, answers)
            if q.required and q.type != "note" and answers.get(q.name) in (None, "", [])
        ]
        if missing:
            result = runtime.parse_page(page, _FormOf(answers, page), answers)
            errors = [e for e in result.errors if e.name in {q.name for q in missing}]
            return page.name, errors
    return None


class _FormOf:
    """The stored answers of a page as if they had been posted (to reuse the engine's messages)."""

    def __init__(self, answers: runtime.Answers, page: Page):
        self._values: dict[str, list[str]] = {}
        for q in page.questions:
            value = answers.get(q.name)
            if value is None:
                continue
            if isinstance(value, list):
                self._values[q.name] = list(value)
            elif isinstance(value, date):
                self._values[f"{q.name}-day"] = [str(value.day)]
                self._values[f"{q.name}-month"] = [str(value.month)]
                self._values[f"{q.name}-year"] = [str(value.year)]
            else:
                self._values[q.name] = [str(value)]

    def getlist(self, name: str) -> list[str]:
        return self._values.get(name, [])

    def get(self, name: str, default=None):
        values = self._values.get(name)
        return values[0] if values else default

    def __contains__(self, name):
        return name in self._values


def summary_rows(questionnaire: Questionnaire, answers: runtime.Answers) -> list[tuple[Page, list[tuple]]]:
    """For "check your answers": each visible page with its visible questions and formatted answers."""
    sections = []
    for page in runtime.visible_pages(questionnaire, answers):
        rows = [
            (q, runtime.format_answer(q, answers.get(q.name)))
            for q in runtime.visible_questions(page, answers)
            if q.type != "note"
        ]
        if rows:
            sections.append((page, rows))
    return sections


def mark_completed(session: Session, response: Response) -> bool:
    """Complete a response exactly once: only the first of two racing submits wins.

    The conditional UPDATE is the guard (the row changes only while it is still
    in progress), so a double click or two tabs cannot complete it twice.
    """
    now = utcnow()
    result = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == "in_progress")
        .values(status="completed", submitted_at=now, updated_at=now, current_page=None)
        .execution_options(synchronize_session=False)
    )
    session.refresh(response)
    return result.rowcount == 1
