"""HL7 FHIR R4 in and out: a survey version as a Questionnaire, its responses as a Bundle, and
a Questionnaire imported as a survey through the same import as a YAML file (services.surveys).

The conversions themselves are in the engine (questionnaires/fhir.py, fhir_import.py) and the
analysis layer (analysis/fhir_responses.py); these functions find the survey and the base URL.
docs/fhir.md describes the mapping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..analysis import fhir_responses
from ..models import Survey, SurveyStatus, SurveyVersion
from ..questionnaires import fhir, fhir_import
from ..questionnaires.definition import Questionnaire
from ..questionnaires.fhir_import import FhirImportError
from ..questionnaires.messages import Message
from .surveys import ImportResult, import_definition

MEDIA_TYPE = "application/fhir+json"
#: the largest Questionnaire read (a real one is a few hundred kilobytes at most)
MAX_IMPORT_BYTES = 5 * 1024 * 1024

__all__ = ["FhirImportError", "MEDIA_TYPE", "VersionNotFound", "import_questionnaire", "looks_like_fhir"]


class VersionNotFound(LookupError):
    def __init__(self, slug: str, number: int):
        super().__init__(f"Survey '{slug}' has no version {number}.")


def base_url() -> str:
    """The instance's address (SURVEYAPP_BASE_URL): the root of every canonical URL exported."""
    return (current_app.config.get("SURVEYAPP_BASE_URL") or "http://localhost").rstrip("/")


def _zone() -> ZoneInfo:
    """Where dates and times were answered: the instance's time zone (SURVEYAPP_TIMEZONE)."""
    return ZoneInfo(current_app.config.get("SURVEYAPP_TIMEZONE") or "Europe/London")


def _version(session: Session, survey: Survey, number: int | None) -> SurveyVersion:
    if number is None:
        version = survey.current_version
    else:
        version = session.scalar(
            select(SurveyVersion).where(SurveyVersion.survey_id == survey.id, SurveyVersion.number == number)
        )
    if version is None:
        raise VersionNotFound(survey.slug, number or 1)
    return version


def _publication_status(survey: Survey, version: SurveyVersion) -> str:
    if version.id != survey.current_version_id:
        return "retired"  # an older version: no one new answers it
    return {SurveyStatus.DRAFT: "draft", SurveyStatus.OPEN: "active"}.get(survey.status, "retired")


def questionnaire_resource(session: Session, survey: Survey, version: int | None = None) -> dict:
    """The survey's current version (or version `version`) as a FHIR R4 Questionnaire."""
    row = _version(session, survey, version)
    return fhir.questionnaire_resource(
        Questionnaire.from_dict(row.definition),
        base_url(),
        version=row.number,
        status=_publication_status(survey, row),
        date=row.created_at,
    )


def responses_bundle(session: Session, survey: Survey, include_in_progress: bool = False) -> dict:
    """The survey's completed (and, if asked, in-progress) responses, never voided ones, as a Bundle."""
    return fhir_responses.responses_bundle(session, survey, base_url(), include_in_progress, zone=_zone())


def responses_bundle_json(session: Session, survey: Survey, include_in_progress: bool = False) -> Iterator[str]:
    """The same Bundle as JSON text in pieces, read while it is written (for big surveys)."""
    return fhir_responses.responses_bundle_json(session, survey, base_url(), include_in_progress, zone=_zone())


def response_count(session: Session, survey: Survey, include_in_progress: bool = False) -> int:
    return fhir_responses.response_count(session, survey, include_in_progress)


def to_json(resource: dict) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


def looks_like_fhir(text: str) -> bool:
    """True when the text is a JSON object with a resourceType (so the FHIR import should read it).

    Unreadable or oversized JSON that names a resourceType near its start counts too, so that the
    FHIR import says what is wrong with it.
    """
    if not text.lstrip().startswith("{"):
        return False
    if len(text) <= MAX_IMPORT_BYTES:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            return isinstance(data, dict) and "resourceType" in data
    return '"resourceType"' in text[:4096]


def parse_resource(text: str) -> dict:
    """The JSON of a FHIR resource; FhirImportError (one plain message) when it cannot be read."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_IMPORT_BYTES:
        too_large = Message(
            "the file is larger than %(size)s MB: nothing was read", size=MAX_IMPORT_BYTES // (1024 * 1024)
        )
        raise FhirImportError([too_large])
    try:
        data = json.loads(text)
    except RecursionError:
        raise FhirImportError([Message("the JSON is nested too deeply to be a Questionnaire")]) from None
    except ValueError as exc:
        raise FhirImportError([Message("not valid JSON: %(reason)s", reason=str(exc))]) from None
    return data


def import_questionnaire(session: Session, text: str, source: str = "<upload>") -> ImportResult:
    """Import a FHIR Questionnaire (JSON text) as a new survey or a new version of the survey with its slug.

    Raises FhirImportError (what cannot be mapped, item by item) or loader.DefinitionError (what the
    engine refuses, as for YAML); nothing is stored then. The stored source is the FHIR JSON.
    """
    definition = fhir_import.definition_from_questionnaire(parse_resource(text))
    result = import_definition(session, json.dumps(definition, indent=2, ensure_ascii=False), source)
    result.version.source_text = text
    return result
