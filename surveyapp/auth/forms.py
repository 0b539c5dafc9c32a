from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from ..i18n import INTERFACE_LANGUAGE_NAMES


class LoginForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Email address"),
        widget=GovTextInput(),
        validators=[InputRequired(message=lazy_gettext("Enter your email address")), Length(max=320)],
    )
    password = PasswordField(
        lazy_gettext("Password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=lazy_gettext("Enter your password")), Length(max=128)],
    )
    submit = SubmitField(lazy_gettext("Sign in"), widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """Revoke one API token (which one is in the form, so the URL carries no id to guess)."""

    token_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2_147_483_647)])
    submit = SubmitField(lazy_gettext("Revoke"), widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    """The sign-out button: nothing but its CSRF token."""


class InterfaceLanguageForm(FlaskForm):
    """Your account: the language of the product's own words (each language named in itself in the page)."""

    language = StringField(lazy_gettext("Language"))

    def validate_language(self, field) -> None:
        if field.data not in INTERFACE_LANGUAGE_NAMES:
            raise ValidationError(lazy_gettext("Select English, Cymraeg or اردو"))
