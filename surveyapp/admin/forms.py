"""Forms of the admin pages (Flask-WTF: CSRF; GOV.UK widgets)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..dashboards.disclosure import POLICIES, POLICY_LABELS

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


class DisclosurePolicyForm(FlaskForm):
    """How the survey's figures are shown everywhere (dashboards, reports, API, exports)."""

    policy = RadioField(
        "How should figures be shown?",
        choices=[(p, POLICY_LABELS[p]) for p in POLICIES],
        widget=GovRadioInput(),
        validators=[DataRequired(message="Choose how figures are shown")],
    )
    min_cell = IntegerField(
        "Smallest group shown under professional opinion",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the smallest group size, a whole number from 1 to 50"),
            NumberRange(min=1, max=50, message="The smallest group size must be a whole number from 1 to 50"),
        ],
    )
    submit = SubmitField("Save disclosure policy", widget=GovSubmitInput())
