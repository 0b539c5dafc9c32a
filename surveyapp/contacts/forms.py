"""Forms of the opt-out pages (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired, Optional


class OptOutForm(FlaskForm):
    """The opt-out page's button: this survey's emails (the default) or every survey's."""

    scope = StringField(
        validators=[Optional(), AnyOf(["survey", "all"], message=lazy_gettext("Choose which emails to stop"))]
    )


class OneClickUnsubscribeForm(FlaskForm):
    """RFC 8058: a mailbox provider POSTs `List-Unsubscribe=One-Click`, without a CSRF token
    (the unguessable token in the URL is the key)."""

    class Meta:
        csrf = False

    one_click = StringField(
        name="List-Unsubscribe",
        validators=[InputRequired(), AnyOf(["One-Click"], message="Expected List-Unsubscribe=One-Click")],
    )
