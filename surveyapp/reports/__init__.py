"""Blueprint: report back sheets for co-chairs (analysts) and admins, their print layout and PDF, and share links."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
share_bp = Blueprint("shared", __name__)

from . import routes, share_routes  # noqa: E402,F401
