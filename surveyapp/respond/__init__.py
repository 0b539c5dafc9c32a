"""Blueprint: the respondent's journey (/s/<token> personal links, /p/<key> public links)."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from . import routes  # noqa: E402,F401
