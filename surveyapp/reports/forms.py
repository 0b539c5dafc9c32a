"""Forms of the report back pages (Flask-WTF: CSRF on every POST; GOV.UK widgets)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..models.reports import ACTION_STATUSES
from .figures import FIGURE_CHOICES


class ReportDetailsForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter a title"),
            Length(max=300, message="The title must be 300 characters or fewer"),
        ],
    )
    group_name = StringField(
        "Group",
        widget=GovTextInput(),
        description="Report backs of the same group follow each other's actions up",
        validators=[
            DataRequired(message="Enter the group's name"),
            Length(max=200, message="The group's name must be 200 characters or fewer"),
        ],
    )
    meeting = StringField(
        "Meeting",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="The meeting must be 300 characters or fewer")],
    )
    meeting_date = DateField(
        "Date of the meeting",
        widget=GovTextInput(),
        validators=[Optional()],
        format="%Y-%m-%d",
        description="For example, 2026-11-27",
    )
    attendees = TextAreaField(
        "Who attended",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="Who attended must be 5,000 characters or fewer")],
    )
    submit = SubmitField("Save details", widget=GovSubmitInput())


class NewReportForm(ReportDetailsForm):
    survey = SelectField(
        "Survey the figures come from", widget=GovSelect(), validators=[DataRequired(message="Choose a survey")]
    )
    submit = SubmitField("Create report back", widget=GovSubmitInput())


class SectionForm(FlaskForm):
    heading = StringField(
        "Heading",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="The heading must be 300 characters or fewer")],
    )
    narrative = TextAreaField(
        "Narrative",
        widget=GovTextArea(),
        description="Paragraphs, **bold**, lists (- item) and links ([text](https://…)); no HTML",
        validators=[Optional(), Length(max=20000, message="The narrative must be 20,000 characters or fewer")],
    )
    figure_kind = SelectField(
        "Figure from the survey", choices=FIGURE_CHOICES, widget=GovSelect(), validators=[Optional()]
    )
    question = SelectField("Question", choices=[], widget=GovSelect(), validate_choice=False, validators=[Optional()])
    by = SelectField("By", choices=[], widget=GovSelect(), validate_choice=False, validators=[Optional()])
    outside_title = StringField(
        "Outside figures: title",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="The title must be 300 characters or fewer")],
    )
    outside_source = StringField(
        "Source",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500, message="The source must be 500 characters or fewer")],
    )
    outside_comparators = StringField(
        "Comparators",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500, message="The comparators must be 500 characters or fewer")],
    )
    outside_table = TextAreaField(
        "Table (one row a line; cells separated by commas or pasted from a spreadsheet)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=20000, message="The table must be 20,000 characters or fewer")],
    )
    submit = SubmitField("Save section", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    what = TextAreaField(
        "What was asked",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter what was asked"),
            Length(max=2000, message="What was asked must be 2,000 characters or fewer"),
        ],
    )
    of_whom = StringField(
        "Of whom",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="Of whom must be 300 characters or fewer")],
    )
    by_when = StringField(
        "By when",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message="By when must be 100 characters or fewer")],
    )
    status = SelectField(
        "Status", choices=[(s, s.capitalize()) for s in ACTION_STATUSES], widget=GovSelect(), default="open"
    )
    progress = TextAreaField(
        "What happened since",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="What happened must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ShareForm(FlaskForm):
    label = StringField(
        "Who it is for",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Who it is for must be 200 characters or fewer")],
    )
    days = IntegerField(
        "Days before the link stops working",
        widget=GovTextInput(),
        default=30,
        validators=[
            InputRequired(message="Enter how many days the link works"),
            NumberRange(min=1, max=365, message="The link can work for 1 to 365 days"),
        ],
    )
    submit = SubmitField("Create share link", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""
