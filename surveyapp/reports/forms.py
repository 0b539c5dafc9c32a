"""Forms of the report back pages (Flask-WTF: CSRF on every POST; GOV.UK widgets)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..analysis.report_figures import FIGURE_CHOICES
from ..models.reports import ACTION_STATUSES

ACTION_STATUS_LABELS = {
    "open": lazy_gettext("Open"),
    "promised": lazy_gettext("Promised"),
    "done": lazy_gettext("Done"),
    "dropped": lazy_gettext("Dropped"),
}


class ReportDetailsForm(FlaskForm):
    title = StringField(
        lazy_gettext("Title"),
        widget=GovTextInput(),
        validators=[
            DataRequired(message=lazy_gettext("Enter a title")),
            Length(max=300, message=lazy_gettext("The title must be 300 characters or fewer")),
        ],
    )
    group_name = StringField(
        lazy_gettext("Group"),
        widget=GovTextInput(),
        description=lazy_gettext("Report backs of the same group follow each other's actions up"),
        validators=[
            DataRequired(message=lazy_gettext("Enter the group's name")),
            Length(max=200, message=lazy_gettext("The group's name must be 200 characters or fewer")),
        ],
    )
    meeting = StringField(
        lazy_gettext("Meeting"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message=lazy_gettext("The meeting must be 300 characters or fewer"))],
    )
    meeting_date = DateField(
        lazy_gettext("Date of the meeting"),
        widget=GovTextInput(),
        validators=[Optional()],
        format="%Y-%m-%d",
        description=lazy_gettext("For example, 2026-11-27"),
    )
    attendees = TextAreaField(
        lazy_gettext("Who attended"),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=5000, message=lazy_gettext("Who attended must be 5,000 characters or fewer")),
        ],
    )
    submit = SubmitField(lazy_gettext("Save details"), widget=GovSubmitInput())


class NewReportForm(ReportDetailsForm):
    survey = SelectField(
        lazy_gettext("Survey the figures come from"),
        widget=GovSelect(),
        validators=[DataRequired(message=lazy_gettext("Choose a survey"))],
    )
    submit = SubmitField(lazy_gettext("Create report back"), widget=GovSubmitInput())


class SectionForm(FlaskForm):
    heading = StringField(
        lazy_gettext("Heading"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message=lazy_gettext("The heading must be 300 characters or fewer"))],
    )
    narrative = TextAreaField(
        lazy_gettext("Narrative"),
        widget=GovTextArea(),
        description=lazy_gettext("Paragraphs, **bold**, lists (- item) and links ([text](https://…)); no HTML"),
        validators=[
            Optional(),
            Length(max=20000, message=lazy_gettext("The narrative must be 20,000 characters or fewer")),
        ],
    )
    figure_kind = SelectField(
        lazy_gettext("Figure from the survey"), choices=FIGURE_CHOICES, widget=GovSelect(), validators=[Optional()]
    )
    question = SelectField(
        lazy_gettext("Question"), choices=[], widget=GovSelect(), validate_choice=False, validators=[Optional()]
    )
    by = SelectField(lazy_gettext("By"), choices=[], widget=GovSelect(), validate_choice=False, validators=[Optional()])
    outside_title = StringField(
        lazy_gettext("Outside figures: title"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message=lazy_gettext("The title must be 300 characters or fewer"))],
    )
    outside_source = StringField(
        lazy_gettext("Source"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500, message=lazy_gettext("The source must be 500 characters or fewer"))],
    )
    outside_comparators = StringField(
        lazy_gettext("Comparators"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=500, message=lazy_gettext("The comparators must be 500 characters or fewer")),
        ],
    )
    outside_table = TextAreaField(
        lazy_gettext("Table (one row a line; cells separated by commas or pasted from a spreadsheet)"),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=20000, message=lazy_gettext("The table must be 20,000 characters or fewer")),
        ],
    )
    submit = SubmitField(lazy_gettext("Save section"), widget=GovSubmitInput())


class ActionForm(FlaskForm):
    what = TextAreaField(
        lazy_gettext("What was asked"),
        widget=GovTextArea(),
        validators=[
            DataRequired(message=lazy_gettext("Enter what was asked")),
            Length(max=2000, message=lazy_gettext("What was asked must be 2,000 characters or fewer")),
        ],
    )
    of_whom = StringField(
        lazy_gettext("Of whom"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message=lazy_gettext("Of whom must be 300 characters or fewer"))],
    )
    by_when = StringField(
        lazy_gettext("By when"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message=lazy_gettext("By when must be 100 characters or fewer"))],
    )
    status = SelectField(
        lazy_gettext("Status"),
        choices=[(s, ACTION_STATUS_LABELS.get(s, s.capitalize())) for s in ACTION_STATUSES],
        widget=GovSelect(),
        default="open",
    )
    progress = TextAreaField(
        lazy_gettext("What happened since"),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=2000, message=lazy_gettext("What happened must be 2,000 characters or fewer")),
        ],
    )
    submit = SubmitField(lazy_gettext("Save action"), widget=GovSubmitInput())


class ShareForm(FlaskForm):
    label = StringField(
        lazy_gettext("Who it is for"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message=lazy_gettext("Who it is for must be 200 characters or fewer"))],
    )
    days = IntegerField(
        lazy_gettext("Days before the link stops working"),
        widget=GovTextInput(),
        default=30,
        validators=[
            InputRequired(message=lazy_gettext("Enter how many days the link works")),
            NumberRange(min=1, max=365, message=lazy_gettext("The link can work for 1 to 365 days")),
        ],
    )
    submit = SubmitField(lazy_gettext("Create share link"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""
