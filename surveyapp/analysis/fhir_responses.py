"""A survey's responses as a FHIR R4 Bundle (type collection) of QuestionnaireResponse resources.

One SQL query reads every answer row of the responses exported (response, answer, question,
choice joined, in response and form order, streamed); Python only groups consecutive rows into
one response, reads the typed answer through the engine (runtime.stored_answer) and builds the
resource (questionnaires/fhir.py). Voided responses are never exported, in-progress ones only
when asked. Like every export, nothing identifies the person: no name, email, contact, invitation,
participant code or volunteer; each resource's id is the response's number in this database.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Answer, Choice, Question, Response, Survey, SurveyVersion
from ..models.enums import ResponseStatus
from ..questionnaires import fhir, runtime, types
from ..questionnaires.definition import Questionnaire

FHIR_STATUS = {ResponseStatus.COMPLETED: "completed", ResponseStatus.IN_PROGRESS: "in-progress"}


def _exported(survey: Survey, include_in_progress: bool) -> list:
    """WHERE clauses on Response: the survey's responses that are exported (never voided ones)."""
    statuses = [ResponseStatus.COMPLETED] + ([ResponseStatus.IN_PROGRESS] if include_in_progress else [])
    return [Response.survey_id == survey.id, Response.voided_at.is_(None), Response.status.in_(statuses)]


def response_count(session: Session, survey: Survey, include_in_progress: bool = False) -> int:
    """How many responses an export holds (for the audit row written before the export is sent)."""
    return session.scalar(select(func.count(Response.id)).where(*_exported(survey, include_in_progress))) or 0


def _answer_rows(survey: Survey, include_in_progress: bool):
    return (
        select(
            Response.id,
            Response.status,
            Response.submitted_at,
            Response.updated_at,
            Response.version_id,
            Question.name,
            Choice.value,
            Answer.value_text,
            Answer.value_number,
            Answer.value_date,
        )
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .outerjoin(Question, Question.id == Answer.question_id)
        .outerjoin(Choice, Choice.id == Answer.choice_id)
        .where(*_exported(survey, include_in_progress))
        .order_by(Response.id, Question.position, Choice.position, Answer.id)
    )


def questionnaire_responses(
    session: Session,
    survey: Survey,
    base_url: str,
    include_in_progress: bool = False,
    zone: datetime.tzinfo | None = None,
) -> Iterator[dict]:
    """Each exported response as a QuestionnaireResponse, in response order (two queries in all); `zone`: where
    dates and times were given (their offset in FHIR)."""
    versions = {
        v.id: (v.number, Questionnaire.from_dict(v.definition))
        for v in session.scalars(select(SurveyVersion).where(SurveyVersion.survey_id == survey.id))
    }
    canonical = fhir.canonical_url(base_url, survey.slug)
    result = session.execute(_answer_rows(survey, include_in_progress).execution_options(yield_per=2000))
    for (response_id, status, submitted_at, updated_at, version_id), rows in groupby(result, key=lambda r: r[:5]):
        number, questionnaire = versions[version_id]
        answers = {}
        for name, question_rows in groupby(rows, key=lambda r: r.name):
            if name is None:
                continue  # a response without answers
            try:
                question = questionnaire.question(name)
            except KeyError:
                continue  # a row of a question the version's definition does not hold (cannot happen)
            stored = [types.StoredValue(r.value, r.value_text, r.value_number, r.value_date) for r in question_rows]
            if question.question_type.storage is not None:
                answers[name] = runtime.stored_answer(question, stored)
        yield fhir.questionnaire_response(
            questionnaire,
            answers,
            questionnaire_reference=f"{canonical}|{number}",
            status=FHIR_STATUS.get(status, "in-progress"),
            response_id=str(response_id),
            authored=submitted_at or updated_at,
            zone=zone,
        )


def _entry(base: str, resource: dict) -> dict:
    return {"fullUrl": f"{base}/fhir/QuestionnaireResponse/{resource['id']}", "resource": resource}


def _header(now: datetime.datetime | None) -> dict:
    now = now or datetime.datetime.now(datetime.UTC)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def responses_bundle(
    session: Session,
    survey: Survey,
    base_url: str,
    include_in_progress: bool = False,
    now: datetime.datetime | None = None,
    zone: datetime.tzinfo | None = None,
) -> dict:
    """The Bundle (type collection) of the survey's responses, as one dict."""
    base = base_url.rstrip("/")
    responses = questionnaire_responses(session, survey, base_url, include_in_progress, zone)
    entries = [_entry(base, r) for r in responses]
    return {**_header(now), "entry": entries} if entries else _header(now)  # FHIR JSON has no empty arrays


def responses_bundle_json(
    session: Session,
    survey: Survey,
    base_url: str,
    include_in_progress: bool = False,
    now: datetime.datetime | None = None,
    zone: datetime.tzinfo | None = None,
) -> Iterator[str]:
    """The same Bundle as JSON text, in pieces, one response at a time (the rows are read as they are written)."""
    base = base_url.rstrip("/")
    yield json.dumps(_header(now), ensure_ascii=False)[:-1]  # without its closing brace
    separator = ', "entry": [\n'
    for resource in questionnaire_responses(session, survey, base_url, include_in_progress, zone):
        yield separator + json.dumps(_entry(base, resource), ensure_ascii=False)
        separator = ",\n"
    yield ("}" if separator.startswith(", ") else "\n]}") + "\n"  # no "entry" at all when there is none
