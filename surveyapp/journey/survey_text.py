"""What a survey's start and thank-you pages say about it, from its definition's settings (docs/questionnaire-format.md).

Read from the parsed `Questionnaire` the journey already holds (cached per version), so it costs no SQL. Every
value is plain text: templates escape it, and paragraphs are split on blank lines here, never marked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..mail.rendering import organisation_named
from ..questionnaires.definition import Questionnaire
from ..questionnaires.languages import same_language
from ..questionnaires.loader import web_address_problem

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def paragraphs(text: str | None) -> list[str]:
    """Plain text as paragraphs: split on blank lines, each stripped, empty ones left out."""
    if not text:
        return []
    parts = _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    return [same_language(text, p.strip()) for p in parts if p.strip()]  # a text left untranslated stays marked


@dataclass(frozen=True)
class SurveyText:
    start: list[str]
    thank_you: list[str]
    run_by: str
    contact: str | None
    privacy_url: str | None


def survey_text(questionnaire: Questionnaire) -> SurveyText:
    """The start page's text, the thank-you text, who runs the survey (`run_by`, else its `organisation`, else the
    instance's SURVEYAPP_ORGANISATION), how to contact them and the privacy notice's address (http or https only)."""
    url = questionnaire.setting("privacy_url")
    return SurveyText(
        start=paragraphs(questionnaire.setting("start_text")),
        thank_you=paragraphs(questionnaire.setting("thank_you_text")),
        run_by=questionnaire.setting("run_by") or organisation_named(questionnaire.setting("organisation")),
        contact=questionnaire.setting("contact") or None,
        privacy_url=url if isinstance(url, str) and web_address_problem(url) is None else None,
    )
