"""Blueprint: the home page at `/`, saying what this instance is and where to go next."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from ..auth.access import home_for

bp = Blueprint("home", __name__)

ROLE_HOMES = {
    "admin": lazy_gettext("Surveys, contacts, invitations and the outbox"),
    "analyst": lazy_gettext("Surveys and their dashboards"),
    "volunteer": lazy_gettext("Your interviews"),
}


@bp.get("/")
def index():
    signed_in = current_user.is_authenticated
    return render_template(
        "home/index.html",
        title=gettext("Home"),
        organisation=current_app.config.get("SURVEYAPP_ORGANISATION"),
        role_home=home_for(current_user) if signed_in else None,
        role_home_text=ROLE_HOMES.get(current_user.role) if signed_in else None,
    )
