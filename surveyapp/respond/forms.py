"""The respondent's one form of their own: "email me a copy of my answers" on the thank-you page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import Email, Length, Optional


class AnswersCopyForm(FlaskForm):
    # Only a public link asks for an address (a personal link's copy goes to the invitee's own);
    # the view makes it required there.
    email = EmailField(
        "Email address",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=320, message="Enter an email address of 320 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
