from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, IntegerField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=320)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), Length(max=128)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """Revoke one API token (which one is in the form, so the URL carries no id to guess)."""

    token_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2_147_483_647)])
    submit = SubmitField("Revoke", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    """The sign-out button: nothing but its CSRF token."""
