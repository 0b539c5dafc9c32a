"""Blueprint: surveys, contacts, invitations, outbox and users, for admins (analysts see results)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def _links():
    from ..services.links import public_link

    return {"public_link": public_link}


from . import (  # noqa: E402,F401
    accounts,
    audit_log,
    contacts,
    mail,
    responses,
    routes,
    survey_images,
    survey_pages,
    tokens,
)
