"""Blueprints: the questionnaire editor for admins and allowed analysts (draft, pages, questions, preview,
preview links, publish, changes), and `review`, the read-only preview a preview link opens without an account."""

from flask import Blueprint

bp = Blueprint("editor", __name__, url_prefix="/admin")
review_bp = Blueprint("review", __name__)

from . import choice_lists, preview, review_routes, routes, sharing, structure  # noqa: E402,F401
