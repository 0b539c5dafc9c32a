"""The respondent's journey through a questionnaire, shared by links, public links and interviews.

Plain functions over a session: load the answers of a response, save a page,
work out the next page, check completeness and submit exactly once. The web
views (respond/, interviews/) only parse requests and render.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Text, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..analysis import tallies
from ..models import Answer, Choice, Question, Response, SurveyVersion, utcnow
from ..models.enums import ResponseStatus
from ..questionnaires import expressions, piping, runtime
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


# Parsed questionnaires, per process, by version id. A version is frozen once answered, but
# until then an import may replace it in place (new definition, new question rows), so each
# entry is checked against the definition's text and the version's newest question id, which
# the journey reads in the same query as the survey: a replaced or new version is seen at once.
QUESTIONNAIRE_CACHE_SIZE = 64


@dataclass
class _CachedVersion:
    fingerprint: tuple[str, int | None]
    questionnaire: Questionnaire
    rows: dict[str, QuestionRow] | None = None
    # The questionnaire in each of its other languages, built on first use (other Page and Question
    # objects, so whatever is cached on a question is cached per language too).
    translated: dict[str, Questionnaire] = field(default_factory=dict)


_cache: OrderedDict[int, _CachedVersion] = OrderedDict()
_cache_lock = threading.Lock()


def version_fingerprint_columns():
    """The columns (definition text, newest question id) that a query adds to identify a version's content."""
    newest_question = (
        select(func.max(Question.id))
        .where(Question.version_id == SurveyVersion.id)
        .correlate(SurveyVersion)
        .scalar_subquery()
    )
    return cast(SurveyVersion.definition, Text), newest_question


def cached_questionnaire(
    version_id: int, definition_text: str, newest_question_id: int | None, language: str | None = None
) -> Questionnaire:
    """The parsed questionnaire of a version, in `language` when it has it (else its default language),
    from the per-process cache when its content is unchanged."""
    fingerprint = (definition_text, newest_question_id)
    with _cache_lock:
        entry = _cache.get(version_id)
        if entry is not None and entry.fingerprint == fingerprint:
            _cache.move_to_end(version_id)
        else:
            entry = None
    if entry is None:
        entry = _CachedVersion(fingerprint, Questionnaire.from_dict(json.loads(definition_text)))
        with _cache_lock:
            _cache[version_id] = entry
            _cache.move_to_end(version_id)
            while len(_cache) > QUESTIONNAIRE_CACHE_SIZE:
                _cache.popitem(last=False)
    questionnaire = entry.questionnaire
    if not language or language == questionnaire.default_language or language not in questionnaire.translations:
        return questionnaire
    with _cache_lock:
        translated = entry.translated.get(language)
    if translated is None:
        translated = questionnaire.translated(language)
        with _cache_lock:
            translated = entry.translated.setdefault(language, translated)
    return translated


def questionnaire_for_version(session: Session, version_id: int, language: str | None = None) -> Questionnaire:
    """The parsed questionnaire of a version (in `language` when it has it): one small query, then the cache."""
    text, newest = session.execute(select(*version_fingerprint_columns()).where(SurveyVersion.id == version_id)).one()
    return cached_questionnaire(version_id, text, newest, language)


def clear_questionnaire_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _rows_for(session: Session, version_id: int, questionnaire: Questionnaire) -> dict[str, QuestionRow]:
    """Question and choice ids of a version; cached beside the questionnaire they were read with."""
    questionnaire = questionnaire.original  # the same rows in every language
    with _cache_lock:
        entry = _cache.get(version_id)
        if entry is not None and entry.questionnaire is questionnaire and entry.rows is not None:
            return entry.rows
    rows = question_rows(session, version_id)
    with _cache_lock:
        entry = _cache.get(version_id)
        if entry is not None and entry.questionnaire is questionnaire:
            entry.rows = rows
    return rows


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
    rows = session.execute(_statements().answers, {"response_id": response.id}).all()
    return answers_from_rows(rows, questionnaire)


def answers_from_rows(rows, questionnaire: Questionnaire) -> runtime.Answers:
    """The typed answers from stored rows of (question name, choice value, text, number, date), in the
    answers' order: from load_answers, or from a lookup that read them with the response."""
    stored: dict[str, list[StoredValue]] = {}
    for name, choice_value, text, number, day in rows:
        stored.setdefault(name, []).append(StoredValue(choice_value, text, number, day))
    by_name = {q.name: q for q in questionnaire.all_questions()}
    return {name: runtime.stored_answer(by_name[name], values) for name, values in stored.items() if name in by_name}


@dataclass(frozen=True)
class _Statements:
    """The journey's statements, built once per process: building a SELECT or an UPDATE costs more
    Python than running it (docs/PERFORMANCE.md). Core statements on the tables (no ORM plugin), with
    bound parameters; the compiled form is then found in the engine's cache by the statement's
    memoised cache key."""

    answers: object
    save_page: object
    move_to: object
    set_current_page: object
    delete_answers: object
    insert_answers: object


@functools.cache
def _statements() -> _Statements:
    response, answer = Response.__table__, Answer.__table__
    question, choice = Question.__table__, Choice.__table__
    in_progress = response.c.status == ResponseStatus.IN_PROGRESS
    this_response = response.c.id == bindparam("response_id")
    return _Statements(
        answers=select(question.c.name, choice.c.value, answer.c.value_text, answer.c.value_number, answer.c.value_date)
        .select_from(answer.join(question, answer.c.question_id == question.c.id))
        .outerjoin(choice, answer.c.choice_id == choice.c.id)
        .where(answer.c.response_id == bindparam("response_id"))
        .order_by(answer.c.id),
        save_page=update(response)
        .where(this_response, in_progress, response.c.updated_at == bindparam("seen_updated_at"))
        .values(current_page=bindparam("target"), updated_at=bindparam("now")),
        move_to=update(response)
        .where(this_response)
        .values(current_page=bindparam("target"), updated_at=bindparam("now")),
        set_current_page=update(response)
        .where(this_response, in_progress)
        .values(current_page=bindparam("target"), updated_at=bindparam("now")),
        delete_answers=delete(answer).where(
            answer.c.response_id == bindparam("response_id"),
            answer.c.question_id.in_(bindparam("question_ids", expanding=True)),
        ),
        # render_nulls keeps every row's columns the same, so the rows go as one executemany.
        insert_answers=insert(answer).execution_options(render_nulls=True),
    )


_VALUE_COLUMNS = ("value_text", "value_number", "value_date")


def _answer_values(response_id: int, row: QuestionRow, qtype: str, value) -> list[dict]:
    """The answer table's rows for one typed answer, as the executemany's parameter sets: plain dicts (an
    ORM object per row, built only to be read back, cost more than the INSERT)."""
    values = []
    for columns in runtime.answer_rows(qtype, value):
        choice = columns.pop("choice", None)
        unknown = columns.keys() - set(_VALUE_COLUMNS)
        if unknown:
            raise TypeError(f"the answer table has no column {sorted(unknown)}")
        values.append(
            {
                "response_id": response_id,
                "question_id": row.id,
                "choice_id": row.choice_ids[choice] if choice is not None else None,
                **dict.fromkeys(_VALUE_COLUMNS),
                **columns,
            }
        )
    return values


def _write_changes(
    session: Session,
    response_id: int,
    questionnaire: Questionnaire,
    rows: dict[str, QuestionRow],
    before: runtime.Answers,
    after: runtime.Answers,
) -> None:
    """Delete the stored rows of answers that changed or went, insert the new ones in one executemany."""
    changed = [q for q in questionnaire.all_questions() if q.name in rows and before.get(q.name) != after.get(q.name)]
    gone = [rows[q.name].id for q in changed if q.name in before]
    if gone:
        session.execute(_statements().delete_answers, {"response_id": response_id, "question_ids": gone})
    values = [
        answer
        for q in changed
        if q.name in after
        for answer in _answer_values(response_id, rows[q.name], q.type, after[q.name])
    ]
    if values:
        session.execute(_statements().insert_answers, values)


def _merged(
    questionnaire: Questionnaire, answers: runtime.Answers, new_values: runtime.Answers, replaced_names: list[str]
) -> runtime.Answers:
    merged = {k: v for k, v in answers.items() if k not in replaced_names}
    merged.update({k: v for k, v in new_values.items() if v is not None})
    return runtime.prune_hidden(questionnaire, merged)


def save_answers(
    session: Session,
    response: Response,
    questionnaire: Questionnaire,
    new_values: runtime.Answers,
    replaced_names: list[str],
) -> runtime.Answers:
    """Store a page's answers, then drop answers that later questions' conditions now hide.

    Returns the pruned answers. Runs inside the caller's transaction (for the demo and tests;
    the journey itself uses save_page).
    """
    before = load_answers(session, response, questionnaire)
    pruned = _merged(questionnaire, before, new_values, replaced_names)
    _write_changes(session, response.id, questionnaire, question_rows(session, response.version_id), before, pruned)
    response.updated_at = utcnow()
    return pruned


def save_page(
    session: Session,
    response: Response,
    questionnaire: Questionnaire,
    seen: runtime.Answers,
    new_values: runtime.Answers,
    replaced_names: list[str],
    target_for: Callable[[runtime.Answers], str],
) -> tuple[runtime.Answers, str] | None:
    """Store a page's answers and the page the journey goes to next, in the caller's write transaction.

    `seen` are the answers read before the write transaction began. The response row is updated
    first, on condition that it is still in progress and unchanged since (its updated_at): that
    takes the row's lock and proves `seen` current, so only the answers that changed are written
    (deleted, then inserted in one executemany). If another request changed the response in
    between, the row is locked and read again and its answers recomputed. Answers that the new
    values' conditions hide are discarded. Returns (the answers now, the next page), or None
    when the response is no longer in progress.
    """
    now = utcnow()
    answers = _merged(questionnaire, seen, new_values, replaced_names)
    target = target_for(answers)
    claimed = session.execute(
        _statements().save_page,
        {"response_id": response.id, "seen_updated_at": response.updated_at, "target": target, "now": now},
    ).rowcount
    before = seen
    if claimed != 1:
        status = session.scalar(select(Response.status).where(Response.id == response.id).with_for_update())
        if status != ResponseStatus.IN_PROGRESS:
            return None
        before = load_answers(session, response, questionnaire)
        answers = _merged(questionnaire, before, new_values, replaced_names)
        target = target_for(answers)
        session.execute(_statements().move_to, {"response_id": response.id, "target": target, "now": now})
    rows = _rows_for(session, response.version_id, questionnaire)
    _write_changes(session, response.id, questionnaire, rows, before, answers)
    loaded(response, "current_page", target)
    loaded(response, "updated_at", now)
    return answers, target


def page_names(questionnaire: Questionnaire, answers: runtime.Answers) -> list[str]:
    return [p.name for p in runtime.visible_pages(questionnaire, answers)]


def section_names(questionnaire: Questionnaire, answers: runtime.Answers) -> list[str]:
    """The sections this person will see, as far as their answers tell: the visible pages, and the
    hidden pages whose conditions (the page's or its questions') still wait for an unanswered
    question on a section counted before them. Computed the same way on the start page and on
    every page, so the counter never counts a page that the answers have already ruled out."""
    visible = set(page_names(questionnaire, answers))
    counted: list[str] = []
    askable: set[str] = set()  # questions on the sections counted so far
    for page in questionnaire.pages:
        conditions = [c for c in (page.relevant, *(q.relevant for q in page.questions)) if c]
        waiting = any(n in askable and answers.get(n) in (None, "", []) for c in conditions for n in _references(c))
        if page.name in visible or waiting:
            counted.append(page.name)
            askable.update(q.name for q in page.questions)
    return counted


def _references(expression: str) -> frozenset[str]:
    try:
        return expressions.parse(expression).references
    except expressions.ExpressionError:  # the loader rejects these
        return frozenset()


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
            if q.required and not q.is_note and answers.get(q.name) in (None, "", [])
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
            self._values.update(runtime.as_posted(q, answers.get(q.name)))  # as the type declares

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
            if not q.is_note and q.is_shown  # hidden answers are not shown
        ]
        if rows:
            sections.append((page, rows))
    return sections


def piped_summary_rows(questionnaire: Questionnaire, answers: runtime.Answers) -> list[tuple[Page, list[tuple]]]:
    """summary_rows() with page titles and labels showing the answers they pipe (questionnaires/piping.py)."""
    return [
        (
            piping.piped_page(page, questionnaire, answers),
            [(piping.piped_question(q, questionnaire, answers), text) for q, text in rows],
        )
        for page, rows in summary_rows(questionnaire, answers)
    ]


def set_current_page(session: Session, response: Response, page_name: str) -> None:
    """Remember where the person is (while the response is in progress), without reloading it."""
    now = utcnow()
    session.execute(_statements().set_current_page, {"response_id": response.id, "target": page_name, "now": now})
    loaded(response, "current_page", page_name)
    loaded(response, "updated_at", now)


def mark_completed(session: Session, response: Response) -> bool:
    """Complete a response exactly once: only the first of two racing submits wins.

    The conditional UPDATE is the guard (the row changes only while it is still
    in progress), so a double click or two tabs cannot complete it twice.
    """
    now = utcnow()
    # The dashboards' tallies move in the same transaction (on PostgreSQL, in the same statement).
    if not tallies.complete(session, response.id, now):
        reload(session, response)
        return False
    for name, value in (
        ("status", ResponseStatus.COMPLETED),
        ("submitted_at", now),
        ("updated_at", now),
        ("current_page", None),
    ):
        loaded(response, name, value)
    return True


def loaded(response, name: str, value) -> None:
    """Set what the row now holds on the request's response: an ORM object (interviews, personal links)
    without marking it changed, or the plain row object of a public link's journey (respond/access.py)."""
    if hasattr(response, "_sa_instance_state"):
        set_committed_value(response, name, value)
    else:
        setattr(response, name, value)


def reload(session: Session, response) -> None:
    """Read the response's row again (another request changed it)."""
    if hasattr(response, "_sa_instance_state"):
        session.refresh(response)
        return
    table = Response.__table__
    names = [name for name in response.__slots__ if name in table.c]
    row = session.execute(select(*[table.c[n] for n in names]).where(table.c.id == response.id)).one()
    for name, value in zip(names, row, strict=True):
        setattr(response, name, value)
