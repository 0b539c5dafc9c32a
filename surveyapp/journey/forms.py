"""The journey's buttons as Flask-WTF forms (a questionnaire page itself is parsed by the engine, whose
fields come from the definition; CSRFProtect checks its token like every POST)."""

from __future__ import annotations

from flask import abort, g, request
from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A button that posts nothing but its CSRF token: start, submit, withdraw."""


def require_button() -> None:
    """400 unless the POST is a valid button form (its CSRF token, when CSRF is on)."""
    if g.get("csrf_valid") and request.method == "POST":
        # CSRFProtect has checked this POST's token, the form's only field (and its validator would skip
        # the check for the same reason): building the form would only sign a token the redirect never shows.
        return
    if not ButtonForm().validate_on_submit():
        abort(400)
