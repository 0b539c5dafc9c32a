"""Blueprint: the questionnaire editor for admins (draft, pages, questions, preview, publish, changes)."""

from flask import Blueprint

bp = Blueprint("editor", __name__, url_prefix="/admin")

from . import preview, routes, structure  # noqa: E402,F401
