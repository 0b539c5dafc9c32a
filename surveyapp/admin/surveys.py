"""Surveys: import a definition as a new survey or a new version, open, close, list.

Plain functions over a session; the CLI and the admin pages both call these.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from ..models import Choice, Question, Response, Survey, SurveyVersion, utcnow
from ..questionnaires.definition import Questionnaire
from ..questionnaires.loader import load_definition_text


class SurveyNotFound(LookupError):
    def __init__(self, slug: str):
        super().__init__(f"No survey with the slug '{slug}'. `surveys list` shows the slugs.")


@dataclass
class ImportResult:
    survey: Survey
    version: SurveyVersion
    created_survey: bool
    created_version: bool


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
    questionnaire = load_definition_text(text, source)
    survey = session.scalar(select(Survey).where(Survey.slug == questionnaire.slug))
    created_survey = survey is None
    if created_survey:
        survey = Survey(slug=questionnaire.slug, title=questionnaire.title, status="draft")
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
    version.source_text = text
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


def set_status(session: Session, survey: Survey, status: str) -> None:
    if status == "open":
        if survey.current_version is None:
            raise ValueError(f"Survey '{survey.slug}' has no questionnaire to open.")
        survey.opened_at = survey.opened_at or utcnow()
        survey.closed_at = None
    elif status == "closed":
        survey.closed_at = utcnow()
    survey.status = status


def list_surveys(session: Session) -> list[Survey]:
    return list(session.scalars(select(Survey).order_by(Survey.slug)))


def questionnaire_for(version: SurveyVersion) -> Questionnaire:
    return Questionnaire.from_dict(version.definition)
