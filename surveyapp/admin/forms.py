"""Forms of the admin pages (Flask-WTF: CSRF; GOV.UK widgets)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

MAX_DEFINITION_CHARACTERS = 1_000_000


class ImportSurveyForm(FlaskForm):
    """A questionnaire definition, as a YAML or JSON file or pasted text (the file wins when both are given)."""

    definition_file = FileField("Upload a definition file", widget=GovFileInput())
    definition_text = TextAreaField(
        "Or paste the definition",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=MAX_DEFINITION_CHARACTERS, message="The definition must be 1,000,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Import", widget=GovSubmitInput())
