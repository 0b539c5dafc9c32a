"""A survey's draft in the editor: where it is kept, read under a lock, saved, discarded and published, and the
choice codes answers already use. Publishing runs the draft through `services.surveys.import_definition`, the
importer itself: the same validation and the same versions.
"""

from __future__ import annotations

import copy

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Answer, Choice, Question, Survey, SurveyVersion, utcnow
from ..questionnaires import loader
from ..questionnaires.messages import Message
from . import choice_lists
from .editing import EditError, definition_yaml
from .starting_points import STARTING_POINTS, blank_definition
from .survey_settings import overlay_on_definition
from .surveys import ImportResult, import_definition


def codes_in_use(session: Session, survey: Survey, question_name: str) -> set[str]:
    """The choice codes of a question (by name, in any version of the survey) that answers point at."""
    rows = session.scalars(
        select(Choice.value)
        .distinct()
        .join(Question, Choice.question_id == Question.id)
        .join(SurveyVersion, Question.version_id == SurveyVersion.id)
        .where(
            SurveyVersion.survey_id == survey.id,
            Question.name == question_name,
            select(Answer.id).where(Answer.choice_id == Choice.id).exists(),
        )
    )
    return set(rows)


def dropped_codes(new_choices: list[dict], in_use: set[str]) -> list[str]:
    """The codes answers use that the new choices no longer have (removed, or renamed), in order."""
    kept = {str(c.get("value")) for c in new_choices}
    return sorted(code for code in in_use if code not in kept)


def current_definition(survey: Survey) -> dict | None:
    version = survey.current_version
    return copy.deepcopy(version.definition) if version is not None else None


def lock_draft(session: Session, survey: Survey) -> None:
    """Read the draft again under a row lock (PostgreSQL), so two edits at once both land: each applies its
    change to the draft as the other left it. (SQLite's BEGIN IMMEDIATE already serialises writers.)"""
    session.refresh(survey, ["draft_definition", "draft_updated_at"], with_for_update=True)


def draft_of(survey: Survey) -> dict:
    """A copy of the survey's draft to edit: its saved draft, else its current version's definition."""
    if survey.draft_definition is not None:
        return copy.deepcopy(survey.draft_definition)
    definition = current_definition(survey)
    if definition is None:
        return blank_definition(survey.slug, survey.title)
    # The shared lists of the file it was published from (a version stores every question's choices inline).
    definition = choice_lists.restore(definition, survey.current_version.source_text)
    # Settings changed on the survey's page since it was published: the draft starts from them, so that
    # publishing it does not quietly undo them (services/survey_settings.py).
    return overlay_on_definition(definition, survey)


def save_draft(survey: Survey, definition: dict) -> None:
    definition["slug"] = survey.slug  # the editor never changes the survey a draft belongs to
    survey.draft_definition = definition  # a new object, so the JSON column is written
    survey.draft_updated_at = utcnow()


def discard_draft(survey: Survey) -> None:
    survey.draft_definition = None
    survey.draft_updated_at = None


class NotPublishable(ValueError):
    def __init__(self, problems: list[loader.Problem]):
        self.problems = problems
        super().__init__(f"The draft has {len(problems)} problem(s) to fix before it can be published")


def publish_draft(session: Session, survey: Survey) -> ImportResult:
    """Publish the survey's draft through the importer: the same validation, the same versioning
    (the current version is replaced until someone has answered it, then a new version is added).

    Raises NotPublishable with the validator's problems; nothing is stored then.
    """
    if survey.draft_definition is None:
        raise NotPublishable([loader.Problem(None, "", Message("there is no draft to publish"))])
    definition = dict(survey.draft_definition, slug=survey.slug)
    try:
        result = import_definition(session, definition_yaml(definition), source="editor")
    except loader.DefinitionError as exc:
        raise NotPublishable(exc.problems) from None
    discard_draft(survey)
    return result


def create_survey(session: Session, slug: str, title: str, starting_point: str) -> Survey:
    """A new draft survey with no published version yet, its draft made from a starting point."""
    label_and_builder = STARTING_POINTS.get(starting_point)
    if label_and_builder is None:
        raise EditError(gettext("Choose how to start."))
    survey = Survey(slug=slug, title=title)
    session.add(survey)
    session.flush()
    save_draft(survey, label_and_builder[1](slug, title))
    return survey
