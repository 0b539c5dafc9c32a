"""Blueprint: surveys, contacts, invitations, outbox and users, for admins (analysts see results)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import routes  # noqa: E402,F401
from . import accounts, audit_log, responses, survey_pages  # noqa: E402,F401
