"""Forms of the admin pages: one Flask-WTF class for every POST (CSRF and validation messages in one place)."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
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
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..analysis.disclosure import POLICIES, POLICY_LABELS
from ..models import ROLES

MAX_DEFINITION_CHARACTERS = 1_000_000


class ImportSurveyForm(FlaskForm):
    """A questionnaire definition, as a YAML, JSON or XLSForm (.xlsx) file or pasted text (the file wins when
    both are given)."""

    definition_file = FileField(lazy_gettext("Upload a definition file"), widget=GovFileInput())
    definition_text = TextAreaField(
        lazy_gettext("Or paste the definition"),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(
                max=MAX_DEFINITION_CHARACTERS,
                message=lazy_gettext("The definition must be 1,000,000 characters or fewer"),
            ),
        ],
    )
    skip_unsupported = BooleanField(
        lazy_gettext("If an XLSForm has parts the product cannot serve, import the rest and list what was left out"),
        widget=GovCheckboxInput(),
    )
    submit = SubmitField(lazy_gettext("Import"), widget=GovSubmitInput())


def form_errors(form: FlaskForm) -> list[dict]:
    """A form's validation messages as GOV.UK error-summary items (the CSRF message included)."""
    return [
        {"text": message, "href": f"#{name}" if name != "csrf_token" else "#main-content"}
        for name, messages in form.errors.items()
        for message in messages
    ]


class ImagesForm(FlaskForm):
    """Images to store with a survey (PNG, JPEG, GIF or WebP; checked and re-encoded by services/images.py)."""

    images = MultipleFileField(lazy_gettext("Upload images"), widget=GovFileInput(multiple=True))
    submit = SubmitField(lazy_gettext("Upload images"), widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button that changes something and carries nothing but its CSRF token (send, remind, retry now,
    deactivate, reactivate, erase)."""


class SurveyStatusForm(FlaskForm):
    """Open or close a survey; `back=survey` returns to the survey's page instead of the list."""

    back = HiddenField(validators=[Optional(), AnyOf(["survey"], message=lazy_gettext("Unknown page to go back to"))])


class InviteForm(FlaskForm):
    list_name = StringField(lazy_gettext("Contact list"), validators=[Optional(), Length(max=200)])
    where = TextAreaField(
        lazy_gettext("Attribute conditions"),
        validators=[
            Optional(),
            Length(max=5000, message=lazy_gettext("The conditions must be 5,000 characters or fewer")),
        ],
    )

    def conditions(self) -> list[str]:
        return [line.strip() for line in (self.where.data or "").splitlines() if line.strip()]


class TemplateForm(FlaskForm):
    """An email template: preview, save, or reset to the default (which needs no text)."""

    action = StringField(
        default="preview",
        validators=[Optional(), AnyOf(["preview", "save", "reset"], message=lazy_gettext("Unknown action"))],
    )
    subject = StringField(
        lazy_gettext("Subject"),
        validators=[Length(max=300, message=lazy_gettext("The subject must be 300 characters or fewer"))],
    )
    body_text = TextAreaField(
        lazy_gettext("Plain-text body"),
        validators=[Length(max=50_000, message=lazy_gettext("The body must be 50,000 characters or fewer"))],
    )
    body_html = TextAreaField(
        lazy_gettext("HTML body"),
        validators=[Length(max=100_000, message=lazy_gettext("The HTML body must be 100,000 characters or fewer"))],
    )


class UserForm(FlaskForm):
    email = StringField(
        lazy_gettext("Email address"),
        validators=[InputRequired(message=lazy_gettext("Enter an email address")), Length(max=320)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    role = StringField(
        lazy_gettext("Role"),
        validators=[InputRequired(lazy_gettext("Select a role")), AnyOf(ROLES, message=lazy_gettext("Select a role"))],
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[Length(max=128, message=lazy_gettext("The password must be 128 characters or fewer"))],
    )


class AssignmentsForm(FlaskForm):
    """A volunteer's interview surveys; the view sets the choices from the interview surveys."""

    survey = SelectMultipleField(lazy_gettext("Interview surveys"), coerce=int, validate_choice=True)


class EditorSurveysForm(FlaskForm):
    """The surveys an analyst may edit; the view sets the choices from every survey."""

    survey = SelectMultipleField(lazy_gettext("Surveys this analyst may edit"), coerce=int, validate_choice=True)


class ContactsUploadForm(FlaskForm):
    file = FileField(
        lazy_gettext("CSV file"), validators=[FileRequired(message=lazy_gettext("Choose a CSV file to upload"))]
    )
    list_name = StringField(lazy_gettext("Contact list"), validators=[Optional(), Length(max=200)])


class VoidForm(FlaskForm):
    reason = StringField(
        lazy_gettext("Reason"),
        validators=[
            InputRequired(message=lazy_gettext("Enter the reason for voiding this response")),
            Length(max=1000, message=lazy_gettext("The reason must be 1000 characters or fewer")),
        ],
    )


class RevokeForm(FlaskForm):
    reason = StringField(
        lazy_gettext("Reason"),
        validators=[Optional(), Length(max=1000, message=lazy_gettext("The reason must be 1000 characters or fewer"))],
    )


class DisclosurePolicyForm(FlaskForm):
    """How the survey's figures are shown everywhere (dashboards, reports, API, exports)."""

    policy = RadioField(
        lazy_gettext("How should figures be shown?"),
        choices=[(p, POLICY_LABELS[p]) for p in POLICIES],
        widget=GovRadioInput(),
        validators=[DataRequired(message=lazy_gettext("Choose how figures are shown"))],
    )
    min_cell = IntegerField(
        lazy_gettext("Smallest group shown under professional opinion"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=lazy_gettext("Enter the smallest group size, a whole number from 1 to 50")),
            NumberRange(
                min=1, max=50, message=lazy_gettext("The smallest group size must be a whole number from 1 to 50")
            ),
        ],
    )
    submit = SubmitField(lazy_gettext("Save disclosure policy"), widget=GovSubmitInput())


_WHOLE_NUMBER = re.compile(r"\s*\d{1,3}\s*\Z")
_DATE_PARTS = ("day", "month", "year")
#: the closing date's message for the boxes left empty (never all three: that is no closing date)
_MISSING_DATE_PARTS = {
    ("day",): lazy_gettext("The closing date must include a day"),
    ("month",): lazy_gettext("The closing date must include a month"),
    ("year",): lazy_gettext("The closing date must include a year"),
    ("day", "month"): lazy_gettext("The closing date must include a day and a month"),
    ("day", "year"): lazy_gettext("The closing date must include a day and a year"),
    ("month", "year"): lazy_gettext("The closing date must include a month and a year"),
}


def _whole_number(value: str | None, low: int, high: int, message) -> int:
    """A whole number from low to high typed in a box, or ValidationError(message)."""
    if value is None or not _WHOLE_NUMBER.match(value) or not low <= int(value) <= high:
        raise ValidationError(message)
    return int(value)


class SurveySettingsForm(FlaskForm):
    """The settings changed on a survey's page (services/survey_settings.py): values are kept as typed, so a
    refused form shows them again; `settings()` gives the checked values."""

    reminder_max = StringField(lazy_gettext("Most reminders each person gets"))
    reminder_interval_days = StringField(lazy_gettext("Days between reminders"))
    closes_on_day = StringField(lazy_gettext("Day"), name="closes_on-day")
    closes_on_month = StringField(lazy_gettext("Month"), name="closes_on-month")
    closes_on_year = StringField(lazy_gettext("Year"), name="closes_on-year")
    public_link = BooleanField(lazy_gettext("Anyone with the survey's public link can answer"))
    submit = SubmitField(lazy_gettext("Save survey settings"), widget=GovSubmitInput())

    REMINDERS_MESSAGE = lazy_gettext("The number of reminders must be a whole number from 0 to 10")
    INTERVAL_MESSAGE = lazy_gettext("The days between reminders must be a whole number from 1 to 90")
    DATE_MESSAGE = lazy_gettext("The closing date must be a real date, for example 31 3 2027")

    def validate_reminder_max(self, field):
        _whole_number(field.data, 0, 10, self.REMINDERS_MESSAGE)

    def validate_reminder_interval_days(self, field):
        _whole_number(field.data, 1, 90, self.INTERVAL_MESSAGE)

    def validate_closes_on_day(self, field):
        self.closes_on_date()  # the day box carries the date's message (the error summary links to it)

    def closes_on_date(self) -> date | None:
        """The closing date typed (None when all three boxes are empty), or ValidationError."""
        parts = {p: (getattr(self, f"closes_on_{p}").data or "").strip() for p in _DATE_PARTS}
        if not any(parts.values()):
            return None
        missing = [p for p in _DATE_PARTS if not parts[p]]
        if missing:
            raise ValidationError(_MISSING_DATE_PARTS[tuple(missing)])
        if not all(p.isdigit() and len(p) <= 4 for p in parts.values()) or len(parts["year"]) != 4:
            raise ValidationError(self.DATE_MESSAGE)
        try:
            return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise ValidationError(self.DATE_MESSAGE) from None

    def fill(self, survey) -> None:
        """The survey's current values, for the page as it first shows."""
        self.reminder_max.data = str(survey.reminder_max)
        self.reminder_interval_days.data = str(survey.reminder_interval_days)
        closes_on = survey.closes_on
        self.closes_on_day.data = str(closes_on.day) if closes_on else ""
        self.closes_on_month.data = str(closes_on.month) if closes_on else ""
        self.closes_on_year.data = str(closes_on.year) if closes_on else ""
        self.public_link.data = bool(survey.public_link_enabled)

    def errors_by_box(self) -> dict[str, str]:
        """The first message of each field, by the id of the box it is about (the date's: its first box)."""
        boxes = {"reminder_max": "reminder_max", "reminder_interval_days": "reminder_interval_days"}
        boxes |= {f"closes_on_{p}": "closes_on-day" for p in _DATE_PARTS}
        return {boxes.get(name, name): messages[0] for name, messages in self.errors.items() if messages}
