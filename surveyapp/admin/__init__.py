"""Blueprint: surveys, contacts, invitations, outbox and users, for admins (analysts see results)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import accounts, audit_log, contacts, mail, responses, routes, survey_pages, tokens  # noqa: E402,F401
