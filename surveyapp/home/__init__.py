"""Blueprint: the home page at `/`, saying what this instance is and where to go next."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from ..auth.routes import home_for

bp = Blueprint("home", __name__)

ROLE_HOMES = {
    "admin": "Surveys, contacts, invitations and the outbox",
    "analyst": "Surveys and their dashboards",
    "volunteer": "Your interviews",
}


@bp.get("/")
def index():
    signed_in = current_user.is_authenticated
    return render_template(
        "home/index.html",
        title="Home",
        organisation=current_app.config.get("SURVEYAPP_ORGANISATION"),
        role_home=home_for(current_user) if signed_in else None,
        role_home_text=ROLE_HOMES.get(current_user.role) if signed_in else None,
    )
