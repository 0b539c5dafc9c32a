"""Blueprint: volunteers' interview mode (/interviews), on the respondents' page engine."""

from flask import Blueprint

bp = Blueprint("interviews", __name__, url_prefix="/interviews")

from . import routes  # noqa: E402,F401
