"""Forms of the admin pages: one Flask-WTF class for every POST (CSRF and validation messages in one place)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from ..analysis.disclosure import POLICIES, POLICY_LABELS
from ..models import ROLES

MAX_DEFINITION_CHARACTERS = 1_000_000


class ImportSurveyForm(FlaskForm):
    """A questionnaire definition, as a YAML, JSON or XLSForm (.xlsx) file or pasted text (the file wins when
    both are given)."""

    definition_file = FileField("Upload a definition file", widget=GovFileInput())
    definition_text = TextAreaField(
        "Or paste the definition",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=MAX_DEFINITION_CHARACTERS, message="The definition must be 1,000,000 characters or fewer"),
        ],
    )
    skip_unsupported = BooleanField(
        "If an XLSForm has parts the product cannot serve, import the rest and list what was left out",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Import", widget=GovSubmitInput())


def form_errors(form: FlaskForm) -> list[dict]:
    """A form's validation messages as GOV.UK error-summary items (the CSRF message included)."""
    return [
        {"text": message, "href": f"#{name}" if name != "csrf_token" else "#main-content"}
        for name, messages in form.errors.items()
        for message in messages
    ]


class ActionForm(FlaskForm):
    """A button that changes something and carries nothing but its CSRF token (send, remind, retry now,
    deactivate, reactivate, erase)."""


class SurveyStatusForm(FlaskForm):
    """Open or close a survey; `back=survey` returns to the survey's page instead of the list."""

    back = HiddenField(validators=[Optional(), AnyOf(["survey"], message="Unknown page to go back to")])


class InviteForm(FlaskForm):
    list_name = StringField("Contact list", validators=[Optional(), Length(max=200)])
    where = TextAreaField(
        "Attribute conditions",
        validators=[Optional(), Length(max=5000, message="The conditions must be 5,000 characters or fewer")],
    )

    def conditions(self) -> list[str]:
        return [line.strip() for line in (self.where.data or "").splitlines() if line.strip()]


class TemplateForm(FlaskForm):
    """An email template: preview, save, or reset to the default (which needs no text)."""

    action = StringField(
        default="preview", validators=[Optional(), AnyOf(["preview", "save", "reset"], message="Unknown action")]
    )
    subject = StringField(
        "Subject", validators=[Length(max=300, message="The subject must be 300 characters or fewer")]
    )
    body_text = TextAreaField(
        "Plain-text body", validators=[Length(max=50_000, message="The body must be 50,000 characters or fewer")]
    )
    body_html = TextAreaField(
        "HTML body", validators=[Length(max=100_000, message="The HTML body must be 100,000 characters or fewer")]
    )


class UserForm(FlaskForm):
    email = StringField(
        "Email address",
        validators=[InputRequired(message="Enter an email address"), Length(max=320)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    role = StringField("Role", validators=[InputRequired("Select a role"), AnyOf(ROLES, message="Select a role")])
    password = PasswordField(
        "Password", validators=[Length(max=128, message="The password must be 128 characters or fewer")]
    )


class AssignmentsForm(FlaskForm):
    """A volunteer's interview surveys; the view sets the choices from the interview surveys."""

    survey = SelectMultipleField("Interview surveys", coerce=int, validate_choice=True)


class EditorSurveysForm(FlaskForm):
    """The surveys an analyst may edit; the view sets the choices from every survey."""

    survey = SelectMultipleField("Surveys this analyst may edit", coerce=int, validate_choice=True)


class ContactsUploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired(message="Choose a CSV file to upload")])
    list_name = StringField("Contact list", validators=[Optional(), Length(max=200)])


class VoidForm(FlaskForm):
    reason = StringField(
        "Reason",
        validators=[
            InputRequired(message="Enter the reason for voiding this response"),
            Length(max=1000, message="The reason must be 1000 characters or fewer"),
        ],
    )


class RevokeForm(FlaskForm):
    reason = StringField(
        "Reason", validators=[Optional(), Length(max=1000, message="The reason must be 1000 characters or fewer")]
    )


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
