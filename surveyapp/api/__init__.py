"""Blueprint: the JSON API (session or `Authorization: Bearer <token>`), documented in docs/api.md."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import routes  # noqa: E402,F401
