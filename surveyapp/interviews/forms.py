"""The interview pages' own form (the questionnaire pages themselves are parsed by the engine)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from .service import participant_code_problem


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NewInterviewForm(FlaskForm):
    """Start an interview: an optional participant code such as PHB-014 (never the person's name)."""

    participant_code = StringField(lazy_gettext("Participant code"), filters=[_strip])
    # one of the questionnaire's language codes (checked by the view, which knows them); empty: the default
    language = StringField(lazy_gettext("Language of the interview"), filters=[_strip])

    def validate_participant_code(self, field) -> None:
        problem = participant_code_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
