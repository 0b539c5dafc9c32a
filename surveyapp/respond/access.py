"""Who is answering: the response behind a personal link or a public link.

One query finds everything a journey request needs: the invitation (personal links),
the survey, the response so far, and the identity of the questionnaire version it
answers (the response's own version, else the survey's newest), so that the parsed
questionnaire comes from the per-process cache. Unknown tokens are counted by the
link-guess throttle; a valid token never consults it.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from typing import NoReturn

from flask import abort, request
from flask import session as cookie
from sqlalchemy import bindparam, func, insert, join, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ..auth.throttle import refuse_unknown_link
from ..database import ConnectionSession, DirectSelect, write_transaction
from ..extensions import db
from ..invitations import tokens
from ..journey import flow
from ..models import Answer, Choice, ContactAttribute, Invitation, Question, Response, Survey, SurveyVersion, utcnow
from ..models.enums import ResponseStatus
from ..questionnaires import piping
from ..questionnaires.definition import Questionnaire
from ..questionnaires.languages import CONTACT_ATTRIBUTE, NEEDS_ATTRIBUTE, best_match, wanted_language
from ..services.invitations import record_event
from ..services.surveys import survey_state  # noqa: F401  (re-exported for the views)

PUBLIC_COOKIE_KEY = "public_responses"

SURVEY_COLUMNS = ("id", "title", "status", "closes_on", "public_link_enabled", "public_key")
RESPONSE_COLUMNS = (
    "id",
    "survey_id",
    "version_id",
    "respondent_key",
    "invitation_id",
    "collection_mode",
    "status",
    "current_page",
    "started_at",
    "updated_at",
    "submitted_at",
    "voided_at",
    "copy_sent_at",
    "language",
)


class SurveyRow:
    """A public link's survey as one request reads it: a Core row, nothing is written through it."""

    __slots__ = (*SURVEY_COLUMNS, "current_version_id")

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


class ResponseRow:
    """A public link's response as one request reads it (a Core row): the journey's writes are Core
    statements (journey/flow.py), which set what the row now holds here (flow.loaded)."""

    __slots__ = RESPONSE_COLUMNS

    def __init__(self, **values):
        for name in RESPONSE_COLUMNS:
            setattr(self, name, values.get(name))


@dataclass
class Respondent:
    """What a journey URL resolves to: the survey, maybe an invitation, maybe a response so far."""

    kind: str  # "s" (personal link) or "p" (public link)
    key: str
    survey: Survey | SurveyRow  # ORM objects on personal links (the invitation's timeline is written through
    invitation: Invitation | None  # them); plain rows on public links, where nothing is
    response: Response | ResponseRow | None
    current_version_id: int | None = None
    version_id: int | None = None  # the response's version, else the survey's newest
    definition_text: str | None = None
    newest_question_id: int | None = None
    language: str | None = None  # the response's language, or the one chosen before it starts
    database: object = None  # where the request reads and writes (respond/routes.py: _database)
    answer_rows: list | None = (
        None  # the response's stored answers when the lookup read them too (flow.answers_from_rows)
    )

    @property
    def questionnaire(self) -> Questionnaire:
        """The questionnaire in the respondent's language (from the per-process cache)."""
        return flow.cached_questionnaire(self.version_id, self.definition_text, self.newest_question_id, self.language)

    def offered_language(self, wanted: object) -> str | None:
        """The survey's language that `wanted` asks for (a code of its definition), or None."""
        original = self.questionnaire.original
        if not original.translations:
            return None
        return best_match(wanted, [language.code for language in original.languages()])

    def choose_language(self, db_session: Session, requested: object = None) -> None:
        """Before the response starts: `requested` (?lang=, the start form) when the survey has it, else,
        on a personal link, the contact's `language` attribute when the survey has it, else the default.
        A started response keeps its own language (changed only by the switcher's POST)."""
        if self.response is not None:
            return
        chosen = self.offered_language(requested)
        if chosen is None and self.invitation is not None and self.questionnaire.original.translations:
            chosen = self.offered_language(contact_language(db_session, self.invitation.contact_id))
        self.language = chosen


def client_address() -> str:
    return request.remote_addr or "unknown"


def _journey_query(entities, from_clause, response_join):
    """SELECT entities, the survey, the response (outer join), and the version's identity columns."""
    newest = aliased(SurveyVersion)
    current_version_id = (
        select(newest.id)
        .where(newest.survey_id == Survey.id)
        .order_by(newest.number.desc())
        .limit(1)
        .correlate(Survey)
        .scalar_subquery()
    )
    definition_text, newest_question_id = flow.version_fingerprint_columns()
    return (
        select(*entities, Survey, Response, current_version_id, SurveyVersion.id, definition_text, newest_question_id)
        .select_from(from_clause)
        .outerjoin(Response, response_join)
        .outerjoin(SurveyVersion, SurveyVersion.id == func.coalesce(Response.version_id, current_version_id))
    )


def resolve(db_session: Session, kind: str, key: str, with_answers: bool = False) -> Respondent:
    """The respondent behind a URL, or the same 404 as any unknown URL (counted as a guess).

    `with_answers`: a public link's lookup reads the response's stored answers in the same statement
    (`Respondent.answer_rows`), for the requests that use them (a page, check your answers, submit)."""
    if kind == "s":
        if not tokens.looks_like_token(key):
            refuse_unknown_link(db_session, client_address())
        row = db_session.execute(_personal_link_query(), {"token_hash": tokens.token_hash(key)}).first()
        if row is None or row[0].revoked_at is not None:
            refuse_unknown_link(db_session, client_address())
        invitation, rest = row[0], row[1:]
    elif kind == "p":
        return _public_respondent(db_session, key, with_answers)
    else:
        abort(404)
    survey, response, current_version_id, version_id, definition_text, newest_question_id = rest
    return Respondent(
        kind,
        key,
        survey,
        invitation,
        response,
        current_version_id,
        version_id,
        definition_text,
        newest_question_id,
        language=response.language if response is not None else None,
    )


def _public_respondent(db_session: Session, key: str, with_answers: bool = False) -> Respondent:
    """A public link's survey, this browser's response and the version's identity (and its answers, one
    row each, when asked for): one Core SELECT, read into plain objects (ORM result set-up and object
    loading cost more than the statement)."""
    keys = _public_response_keys()
    if len(keys) == 1:  # the usual case: no IN list to expand on every request
        params = {"public_key": key, "response_key": keys[0]}
    else:
        params = {"public_key": key, "response_keys": keys}
    if len(keys) == 1:
        lookup = _direct_public_link_rows(with_answers)
        if isinstance(db_session, ConnectionSession):
            rows = db_session.read_rows(lookup, params)
        else:
            rows = lookup.rows(db_session.connection(), params)
    else:
        rows = db_session.connection().execute(_public_link_rows(with_answers=with_answers), params).all()
    row = rows[0] if rows else None
    if row is None:
        _refuse(db_session)
    n_survey, n_response = len(SURVEY_COLUMNS), len(RESPONSE_COLUMNS)
    survey_values = dict(zip(SURVEY_COLUMNS, row[:n_survey], strict=True))
    if not survey_values["public_link_enabled"] or not secrets.compare_digest(survey_values["public_key"], key):
        _refuse(db_session)
    response_values = row[n_survey : n_survey + n_response]
    identity = n_survey + n_response
    current_version_id, version_id, definition_text, newest_question_id = row[identity : identity + 4]
    survey = SurveyRow(**survey_values, current_version_id=current_version_id)
    response = (
        ResponseRow(**dict(zip(RESPONSE_COLUMNS, response_values, strict=True)))
        if response_values[0] is not None
        else None
    )
    return Respondent(
        "p",
        key,
        survey,
        None,
        response,
        current_version_id,
        version_id,
        definition_text,
        newest_question_id,
        language=response.language if response is not None else None,
        answer_rows=[r[identity + 4 :] for r in rows if r[identity + 4] is not None] if with_answers else None,
    )


def _refuse(db_session) -> NoReturn:
    """Count the unknown key as a guess and refuse it. The throttle writes through the ORM session: a
    request on its own connection (database.ConnectionSession) ends its read transaction first."""
    if isinstance(db_session, ConnectionSession):
        db_session.commit()
        db_session = db.session
    refuse_unknown_link(db_session, client_address())


def _existing_response(db_session, respondent_key: str) -> Response | ResponseRow | None:
    """The response a racing start created: a plain row on a request's own connection, else the ORM object."""
    if isinstance(db_session, ConnectionSession):
        table = Response.__table__
        row = db_session.execute(
            select(*[table.c[name] for name in RESPONSE_COLUMNS]).where(table.c.respondent_key == respondent_key)
        ).first()
        return ResponseRow(**row._mapping) if row is not None else None
    return db_session.scalar(select(Response).where(Response.respondent_key == respondent_key))


def set_language(db_session: Session, response: Response | ResponseRow, language: str) -> None:
    """Store the language a started response is shown in, in the caller's write transaction."""
    if isinstance(response, Response):
        response.language = language
        return
    now = utcnow()
    table = Response.__table__
    db_session.execute(update(table).where(table.c.id == response.id).values(language=language, updated_at=now))
    response.language, response.updated_at = language, now


def contact_language(db_session: Session, contact_id: int) -> object:
    """The language a contact's attributes ask for: `language` (e.g. 'cy'), or its easy-read variant when
    their `communication_needs` say easy read; None when they say nothing. One query."""
    attributes = dict(
        db_session.execute(
            select(ContactAttribute.name, ContactAttribute.value).where(
                ContactAttribute.contact_id == contact_id,
                ContactAttribute.name.in_((CONTACT_ATTRIBUTE, NEEDS_ATTRIBUTE)),
            )
        ).all()
    )
    return wanted_language(attributes.get(CONTACT_ATTRIBUTE), attributes.get(NEEDS_ATTRIBUTE))


def contact_attributes(db_session: Session, respondent: Respondent) -> dict[str, str]:
    """The attributes of the invited contact that the questionnaire's conditions and piped texts use: one
    query, and none when it uses no attribute or on a public link (no contact: every attribute is empty)."""
    questionnaire = respondent.questionnaire
    names = piping.contact_attributes_used(questionnaire.original) | piping.contact_attributes_used(questionnaire)
    if not names or respondent.invitation is None:
        return {}
    return dict(
        db_session.execute(
            select(ContactAttribute.name, ContactAttribute.value).where(
                ContactAttribute.contact_id == respondent.invitation.contact_id,
                ContactAttribute.name.in_(sorted(names)),
            )
        ).all()
    )


# The two journey queries are built once per process: building a SELECT with an aliased subquery
# costs about 2 ms of Python per request, far more than running it (docs/PERFORMANCE.md).
@functools.cache
def _personal_link_query():
    return _journey_query(
        [Invitation],
        join(Invitation, Survey, Survey.id == Invitation.survey_id),
        Response.invitation_id == Invitation.id,
    ).where(Invitation.token_hash == bindparam("token_hash"))


@functools.cache
def _direct_public_link_rows(with_answers: bool) -> DirectSelect:
    """The usual lookup (the cookie holds one response key) as a DirectSelect: it runs on every request."""
    return DirectSelect(_public_link_rows(single=True, with_answers=with_answers))


@functools.cache
def _public_link_rows(single: bool = False, with_answers: bool = False):
    """The public link's survey, the response whose key this browser's cookie holds for it, and the
    version's identity (the response's version, else the survey's newest), as Core columns. `single`:
    the cookie holds one key (compared with `=`), else a list of them (`IN`). `with_answers`: one row per
    stored answer of the response (the columns of flow's answers statement, in its order), else one row."""
    survey, response, version = Survey.__table__, Response.__table__, SurveyVersion.__table__
    newest = version.alias("newest")
    current_version_id = (
        select(newest.c.id)
        .where(newest.c.survey_id == survey.c.id)
        .order_by(newest.c.number.desc())
        .limit(1)
        .correlate(survey)
        .scalar_subquery()
    )
    definition_text, newest_question_id = flow.version_fingerprint_columns()
    mine = (response.c.survey_id == survey.c.id) & (
        response.c.respondent_key == bindparam("response_key")
        if single
        else response.c.respondent_key.in_(bindparam("response_keys", expanding=True))
    )
    joined = survey.outerjoin(response, mine).outerjoin(
        version, version.c.id == func.coalesce(response.c.version_id, current_version_id)
    )
    answer_columns = []
    if with_answers:
        answer, question, choice = Answer.__table__, Question.__table__, Choice.__table__
        joined = (
            joined.outerjoin(answer, answer.c.response_id == response.c.id)
            .outerjoin(question, question.c.id == answer.c.question_id)
            .outerjoin(choice, choice.c.id == answer.c.choice_id)
        )
        answer_columns = [
            question.c.name,
            choice.c.value,
            answer.c.value_text,
            answer.c.value_number,
            answer.c.value_date,
        ]
    statement = (
        select(
            *[survey.c[name] for name in SURVEY_COLUMNS],
            *[response.c[name] for name in RESPONSE_COLUMNS],
            current_version_id,
            version.c.id,
            definition_text,
            newest_question_id,
            *answer_columns,
        )
        .select_from(joined)
        .where(survey.c.public_key == bindparam("public_key"))
    )
    return statement.order_by(Answer.__table__.c.id) if with_answers else statement


@functools.cache
def _insert_response():
    return insert(Response.__table__)


def _public_response_keys() -> list[str]:
    """The response keys this browser's cookie holds ("" never matches)."""
    mine = cookie.get(PUBLIC_COOKIE_KEY, {})
    keys = [str(k) for k in mine.values()] if isinstance(mine, dict) else []
    return keys or [""]


def start_response(db_session: Session, respondent: Respondent, first_page: str | None = None) -> Response:
    """Create the response (once), at its first page, in the caller's (write) transaction.

    Two racing starts end with the same single row: the loser's INSERT fails on the unique
    respondent_key, its transaction is rolled back and the winner's row is read.
    """
    if respondent.response is not None:
        return respondent.response
    survey = respondent.survey
    if respondent.invitation is not None:
        respondent_key, mode = f"inv:{respondent.invitation.id}", "link"
    else:
        respondent_key, mode = f"pub:{secrets.token_urlsafe(18)}", "public"
    now = utcnow()
    values = {
        "survey_id": survey.id,
        "version_id": respondent.current_version_id or survey.current_version_id,
        "respondent_key": respondent_key,
        "invitation_id": respondent.invitation.id if respondent.invitation else None,
        "collection_mode": mode,
        "status": ResponseStatus.IN_PROGRESS,
        "current_page": first_page,
        "language": respondent.language,
        "started_at": now,
        "updated_at": now,
    }
    try:
        # A Core INSERT (the ORM's unit of work costs more than the statement); the object below is
        # what the request goes on with, as the row now stands.
        response_id = db_session.execute(_insert_response(), values).inserted_primary_key[0]
    except IntegrityError:
        db_session.rollback()
        existing = _existing_response(db_session, respondent_key)
        if existing is None:
            raise
        respondent.response = existing
        return existing
    response = ResponseRow(id=response_id, **values)
    if respondent.invitation is not None and respondent.invitation.started_at is None:
        respondent.invitation.started_at = now
        record_event(db_session, respondent.invitation, "started")
    if respondent.kind == "p":
        mine = dict(cookie.get(PUBLIC_COOKIE_KEY, {}))
        mine[str(survey.id)] = respondent_key
        cookie[PUBLIC_COOKIE_KEY] = mine
        cookie.permanent = True
    respondent.response = response
    return response


def note_link_opened(db_session: Session, respondent: Respondent) -> None:
    """Record the first opening of a personal link (a GET: it never uses the link up)."""
    invitation = respondent.invitation
    if invitation is not None and invitation.first_opened_at is None:
        with write_transaction(db_session):
            invitation.first_opened_at = utcnow()
            record_event(db_session, invitation, "opened")
