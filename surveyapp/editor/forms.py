"""Forms of the editor: one Flask-WTF class for every POST (CSRF, lengths and plain-English messages).

Values that are text in the definition are taken as typed; whether they make a valid questionnaire
is the validator's call (services.editing.draft_problems), so a draft keeps whatever was typed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..questionnaires import types
from ..questionnaires.loader import SLUG_RE, web_address_problem
from ..services.condition_builder import COMPARISONS, JOINS
from ..services.editing import MAX_LABEL
from ..services.starting_points import STARTING_POINTS

_TEXT = 2000
_EXPRESSION = 2000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _strip_lines(value):
    """Text-area text with the browser's CRLF line ends as \\n (blank lines are paragraph breaks)."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _text(label, max_length: int = _TEXT, required=None):
    checks = [InputRequired(message=required)] if required else [Optional()]
    too_long = lazy_gettext("%(label)s must be %(max)s characters or fewer", label=label, max=f"{max_length:,}")
    checks.append(Length(max=max_length, message=too_long))
    return StringField(label, validators=checks, filters=[_strip])


class CreateSurveyForm(FlaskForm):
    title = _text(lazy_gettext("Title"), 300, required=lazy_gettext("Enter the survey's title"))
    slug = StringField(
        lazy_gettext("Short name for links and files"),
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(
                SLUG_RE.pattern,
                message=lazy_gettext("The short name must be 1 to 64 lowercase letters, digits or hyphens"),
            ),
        ],
    )
    start = RadioField(
        lazy_gettext("How do you want to start?"),
        choices=[(key, label) for key, (label, _build) in STARTING_POINTS.items()],
        validators=[InputRequired(message=lazy_gettext("Choose how to start"))],
    )


class DetailsForm(FlaskForm):
    title = _text(lazy_gettext("Title"), 300, required=lazy_gettext("Enter the survey's title"))
    description = TextAreaField(
        lazy_gettext("Description"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=5000, message=lazy_gettext("The description must be 5,000 characters or fewer")),
        ],
    )
    interview = BooleanField(lazy_gettext("Collected by volunteers in interviews"))
    public_link = BooleanField(lazy_gettext("Anyone with the public link can answer"))
    answers_copy = BooleanField(lazy_gettext("Offer respondents a copy of their answers by email"))
    reminder_max = _text(lazy_gettext("Reminders"), 10)
    reminder_interval_days = _text(lazy_gettext("Days between reminders"), 10)
    closes_on = _text(lazy_gettext("Closing date"), 20)
    organisation = _text(lazy_gettext("Organisation named in the emails"), 300)
    start_text = TextAreaField(
        lazy_gettext("Start page text"),
        filters=[_strip_lines],
        validators=[
            Optional(),
            Length(max=10_000, message=lazy_gettext("The start page text must be 10,000 characters or fewer")),
        ],
    )
    thank_you_text = TextAreaField(
        lazy_gettext("Thank-you page text"),
        filters=[_strip_lines],
        validators=[
            Optional(),
            Length(max=10_000, message=lazy_gettext("The thank-you page text must be 10,000 characters or fewer")),
        ],
    )
    run_by = _text(lazy_gettext("Who is running the survey"), 200)
    contact = _text(lazy_gettext("How to contact them"), 300)
    privacy_url = _text(lazy_gettext("Privacy notice (a web address)"), 2000)

    def validate_privacy_url(self, field):
        # Refused here, not kept in the draft: the address becomes a link on the respondent's start page.
        if field.data and web_address_problem(field.data):
            raise ValidationError(
                lazy_gettext(
                    "Enter the privacy notice’s web address starting with https:// or http://, "
                    "like https://example.org/privacy"
                )
            )


BUILDER_ROWS = 3


def _builder_fields(cls):
    """The guided builder's rows (question, comparison, value) and how they join, added to a form class."""
    for n in range(1, BUILDER_ROWS + 1):
        setattr(
            cls,
            f"rule_question_{n}",
            StringField(lazy_gettext("Question %(number)s", number=n), validators=[Optional(), Length(max=64)]),
        )
        setattr(
            cls,
            f"rule_comparison_{n}",
            StringField(
                lazy_gettext("Comparison %(number)s", number=n),
                validators=[Optional(), AnyOf(list(COMPARISONS), message=lazy_gettext("Choose a comparison"))],
            ),
        )
        setattr(
            cls,
            f"rule_value_{n}",
            StringField(
                lazy_gettext("Value %(number)s", number=n),
                validators=[Optional(), Length(max=500, message=lazy_gettext("The value is too long"))],
            ),
        )
    cls.rule_join = StringField(
        lazy_gettext("Show it when"),
        validators=[Optional(), AnyOf(list(JOINS), message=lazy_gettext("Choose all of these or any of these"))],
    )
    cls.build = StringField(validators=[Optional(), Length(max=10)])
    return cls


class AddPageForm(FlaskForm):
    title = _text(lazy_gettext("Page title"), 300, required=lazy_gettext("Enter the new page's title"))


@_builder_fields
class PageForm(FlaskForm):
    title = _text(lazy_gettext("Page title"), 300, required=lazy_gettext("Enter the page's title"))
    relevant = _text(lazy_gettext("Show this page only when"), _EXPRESSION)


class ActionForm(FlaskForm):
    """A button: publish, discard, or one of a page's or question's actions."""

    action = StringField(validators=[Optional(), Length(max=20)])


class AddQuestionForm(FlaskForm):
    qtype = StringField(
        lazy_gettext("Type of question"),
        validators=[
            InputRequired(message=lazy_gettext("Choose the type of question")),
            AnyOf([], message=lazy_gettext("Choose a type of question")),
        ],
    )
    label = _text(lazy_gettext("Question"), MAX_LABEL, required=lazy_gettext("Enter the question"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.qtype.validators[1].values = types.names()  # types may be registered after import


@_builder_fields
class QuestionForm(FlaskForm):
    label = _text(lazy_gettext("Question"), MAX_LABEL, required=lazy_gettext("Enter the question"))
    hint = _text(lazy_gettext("Hint"))
    required = BooleanField(lazy_gettext("An answer is required"))
    required_message = _text(lazy_gettext("Message when there is no answer"))
    consent = BooleanField(lazy_gettext("This is a consent question: the person must answer it"))
    choices = TextAreaField(
        lazy_gettext("Answers, one a line"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=50_000, message=lazy_gettext("The answers must be 50,000 characters or fewer")),
        ],
    )
    confirm_codes = BooleanField(lazy_gettext("Yes, change the codes that answers use"))
    min = _text(lazy_gettext("Lowest allowed"), 30)
    max = _text(lazy_gettext("Highest allowed"), 30)
    min_label = _text(lazy_gettext("Label of the lowest point"), 300)
    max_label = _text(lazy_gettext("Label of the highest point"), 300)
    min_length = _text(lazy_gettext("Fewest characters"), 10)
    max_length = _text(lazy_gettext("Most characters"), 10)
    pattern = _text(lazy_gettext("Pattern the answer must match"), 500)
    pattern_message = _text(lazy_gettext("Message when it does not match"), 500)
    suffix = _text(lazy_gettext("Text after the box"), 100)
    width = _text(lazy_gettext("Width of the box"), 10)
    relevant = _text(lazy_gettext("Show this question only when"), _EXPRESSION)
    constraint = _text(lazy_gettext("The answer must satisfy"), _EXPRESSION)
    constraint_message = _text(lazy_gettext("Message when it does not"), 500)
    choice_filter = _text(lazy_gettext("Offer only the answers where"), _EXPRESSION)
    image = _text(lazy_gettext("Image above the question"), 100)
    image_alt = _text(lazy_gettext("What the image shows"), 500)
    default = _text(lazy_gettext("Answer given in advance"), 500)
    read_only = BooleanField(lazy_gettext("Show the answer given in advance; it cannot be changed"))
    page = _text(lazy_gettext("Page"), 100)
    qtype = StringField(
        lazy_gettext("Type of question"),
        validators=[Optional(), AnyOf([], message=lazy_gettext("Choose a type of question"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.qtype.validators[1].values = types.names()


class TranslationsForm(FlaskForm):
    """Save the translations typed on the translations page: only its CSRF token is a field here; the texts are
    read by their row number (their number varies with the questionnaire)."""


class PreviewForm(FlaskForm):
    """The preview's Continue: only its CSRF token is checked here; the answers are the engine's to read."""


class PreviewLinkForm(FlaskForm):
    """A shareable preview link: who it is for (optional) and how many days it works."""

    label = _text(lazy_gettext("Who it is for"), 200)
    days = IntegerField(
        lazy_gettext("Days before the link stops working"),
        default=14,
        validators=[
            InputRequired(message=lazy_gettext("Enter how many days the link works, from 1 to 90")),
            NumberRange(min=1, max=90, message=lazy_gettext("A preview link can work for 1 to 90 days")),
        ],
    )


class PreviewAsForm(FlaskForm):
    """ "Preview as": one of the survey's contacts (admins), and typed attribute values (`as-<name>` fields,
    read by the view: their names come from the draft)."""

    contact = StringField(
        lazy_gettext("One of the survey's contacts"),
        filters=[_strip],
        validators=[Optional(), Regexp(r"\d{1,12}\Z", message=lazy_gettext("Choose one of the survey's contacts"))],
    )


class ChoiceListForm(FlaskForm):
    """A shared list of answers: its name (when added) and its answers, one a line as on a question."""

    title = _text(lazy_gettext("Name of the list"), 100)
    choices = TextAreaField(
        lazy_gettext("Answers, one a line"),
        filters=[_strip],
        validators=[
            InputRequired(message=lazy_gettext("Enter the list's answers, one a line")),
            Length(max=50_000, message=lazy_gettext("The answers must be 50,000 characters or fewer")),
        ],
    )
    confirm_codes = BooleanField(lazy_gettext("Yes, change the codes that answers use"))


class ChoiceListUseForm(FlaskForm):
    """A question's answers: use a shared list, take its own copy of the list, or make its answers a shared list."""

    action = StringField(
        validators=[InputRequired(), AnyOf(["use", "own", "share"], message=lazy_gettext("Choose what to do"))]
    )
    list_name = _text(lazy_gettext("Shared list"), 100)
    title = _text(lazy_gettext("Name of the new list"), 100)
    confirm_codes = BooleanField(lazy_gettext("Yes, change the codes that answers use"))


class ChoiceListDeleteForm(FlaskForm):
    """Delete a shared list no question uses: only its CSRF token."""
