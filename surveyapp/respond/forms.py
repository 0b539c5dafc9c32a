"""The respondent's own forms: "email me a copy of my answers" on the thank-you page, and the language switcher."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import Email, Length, Optional


class AnswersCopyForm(FlaskForm):
    # Only a public link asks for an address (a personal link's copy goes to the invitee's own);
    # the view makes it required there.
    email = EmailField(
        "Email address",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=320, message=lazy_gettext("Enter an email address of 320 characters or fewer")),
            Email(message=lazy_gettext("Enter an email address in the correct format, like name@example.com")),
        ],
    )


class LanguageForm(FlaskForm):
    """The language switcher: the language chosen and the page to go back to (checked by the view)."""

    # No length or pattern rule: an unknown or malformed code falls back to the default language quietly.
    lang = StringField("Language")
    back_to = StringField("Back to")
