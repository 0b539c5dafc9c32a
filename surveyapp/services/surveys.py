"""Survey lifecycle: import a definition as a new survey or a new version, open, close, list.

Plain functions over a session; the CLI, the admin pages and the demo all call these.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import case, delete, exists, func, select
from sqlalchemy.orm import Session

from ..models import Choice, Question, Response, ResponseStatus, Survey, SurveyStatus, SurveyVersion, utcnow
from ..questionnaires.definition import Questionnaire
from ..questionnaires.loader import load_definition_text


class SurveyNotFound(LookupError):
    def __init__(self, slug: str):
        super().__init__(f"No survey with the slug '{slug}'. `surveys list` shows the slugs.")


class SurveyStatusError(ValueError):
    """A survey cannot take the status asked for; str() says why."""


@dataclass
class ImportResult:
    survey: Survey
    version: SurveyVersion
    created_survey: bool
    created_version: bool


def import_outcome(result: ImportResult) -> str:
    """What an import did, in the words the CLI prints and the admin page shows."""
    how = (
        "new survey"
        if result.created_survey
        else "new version"
        if result.created_version
        else "replaced: no one had answered it yet"
    )
    return f"{result.survey.slug} version {result.version.number} ({how})"


def get_survey(session: Session, slug: str) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise SurveyNotFound(slug)
    return survey


def version_has_responses(session: Session, version: SurveyVersion) -> bool:
    return bool(session.scalar(select(exists().where(Response.version_id == version.id))))


def import_definition(session: Session, text: str, source: str = "<upload>") -> ImportResult:
    """Validate the whole definition, then store it.

    A survey's current version is replaced in place until someone has answered
    it; after that it is frozen and the import becomes version N+1.
    Raises loader.DefinitionError (with every problem) before touching the database.
    """
    return store_questionnaire(session, load_definition_text(text, source), text)


def store_questionnaire(session: Session, questionnaire: Questionnaire, source_text: str) -> ImportResult:
    """Store a validated questionnaire: a new survey, its current version replaced, or version N+1 (the rules
    of import_definition, which calls this, as does services/xlsform.import_xlsform)."""
    survey = session.scalar(select(Survey).where(Survey.slug == questionnaire.slug))
    created_survey = survey is None
    if created_survey:
        survey = Survey(slug=questionnaire.slug, title=questionnaire.title, status=SurveyStatus.DRAFT)
        session.add(survey)
        session.flush()
    _apply_settings(survey, questionnaire)

    current = survey.current_version
    if current is not None and not version_has_responses(session, current):
        _clear_questions(session, current)
        version, created_version = current, False
    else:
        number = (
            session.scalar(select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == survey.id)) or 0
        ) + 1
        version = SurveyVersion(survey_id=survey.id, number=number)
        session.add(version)
        created_version = True
    version.definition = questionnaire.to_dict()
    version.source_text = source_text
    session.flush()
    _add_question_rows(session, version, questionnaire)
    session.flush()
    session.expire(survey, ["versions"])
    return ImportResult(survey, version, created_survey, created_version)


def _apply_settings(survey: Survey, questionnaire: Questionnaire) -> None:
    settings = questionnaire.settings or {}
    survey.title = questionnaire.title
    survey.is_interview = bool(settings.get("interview", False))
    survey.public_link_enabled = bool(settings.get("public_link", False))
    if survey.public_link_enabled and not survey.public_key:
        survey.public_key = secrets.token_urlsafe(16)
    survey.reminder_max = int(settings.get("reminder_max", 2))
    survey.reminder_interval_days = int(settings.get("reminder_interval_days", 7))
    survey.closes_on = settings.get("closes_on")
    survey.disclosure_threshold = int(settings.get("disclosure_threshold", 7))
    survey.disclosure_rounding = int(settings.get("disclosure_rounding", 5))


def _clear_questions(session: Session, version: SurveyVersion) -> None:
    question_ids = select(Question.id).where(Question.version_id == version.id)
    session.execute(delete(Choice).where(Choice.question_id.in_(question_ids)))
    session.execute(delete(Question).where(Question.version_id == version.id))
    session.expire(version, ["questions"])


def _add_question_rows(session: Session, version: SurveyVersion, questionnaire: Questionnaire) -> None:
    for position, q in enumerate(questionnaire.all_questions()):
        if q.is_note:  # no answer, so no row (the type declares it)
            continue
        row = Question(
            version_id=version.id, name=q.name, qtype=q.type, label=q.label, page_name=q.page_name, position=position
        )
        row.choices = [Choice(value=c.value, label=c.label, position=i) for i, c in enumerate(q.choices or [])]
        session.add(row)
    session.flush()


def set_status(session: Session, survey: Survey, status: SurveyStatus | str) -> None:
    """Open or close a survey (or put it back to draft). Raises SurveyStatusError for an unknown
    status or a survey without a questionnaire to open."""
    try:
        status = SurveyStatus(status)
    except ValueError:
        raise SurveyStatusError(f"'{status}' is not a survey status: use one of {', '.join(SurveyStatus)}.") from None
    if status == SurveyStatus.OPEN:
        if survey.current_version is None:
            raise SurveyStatusError(gettext("Survey '%(survey)s' has no questionnaire to open.", survey=survey.slug))
        survey.opened_at = survey.opened_at or utcnow()
        survey.closed_at = None
    elif status == SurveyStatus.CLOSED:
        survey.closed_at = utcnow()
    survey.status = status


def list_surveys(session: Session) -> list[Survey]:
    return list(session.scalars(select(Survey).order_by(Survey.slug)))


def version_response_counts(session: Session, survey: Survey) -> dict[int, tuple[int, int]]:
    """version id -> (responses, completed), voided ones left out: one GROUP BY query."""
    rows = session.execute(
        select(
            Response.version_id,
            func.count(),
            func.coalesce(func.sum(case((Response.status == ResponseStatus.COMPLETED, 1), else_=0)), 0),
        )
        .where(Response.survey_id == survey.id, Response.voided_at.is_(None))
        .group_by(Response.version_id)
    ).all()
    return {version_id: (int(total), int(completed)) for version_id, total, completed in rows}


def survey_state(survey: Survey, today: date | None = None, current_version_id: int | None = -1) -> str:
    """'open', 'closed' or 'not_open' as a respondent sees it (current_version_id: when already known)."""
    today = today or date.today()
    if current_version_id == -1:
        current_version_id = survey.current_version_id
    if survey.status == SurveyStatus.CLOSED or (survey.closes_on is not None and survey.closes_on < today):
        return "closed"
    if survey.status != SurveyStatus.OPEN or current_version_id is None:
        return "not_open"
    return "open"
