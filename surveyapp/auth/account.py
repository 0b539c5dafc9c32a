"""Your account: the signed-in person's own API tokens, each of which they can revoke."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..models import ROLES
from ..services.tokens import tokens_of
from . import bp
from .access import roles_required
from .forms import RevokeTokenForm
from .token_revocation import revoke_from_form


@bp.get("/account")
@roles_required(*ROLES)
def account():
    return render_template(
        "auth/account.html",
        title="Your account",
        tokens=tokens_of(db.session, current_user),
        revoke_url=url_for("auth.account_token_revoke"),
        form=RevokeTokenForm(),
    )


@bp.post("/account/tokens/revoke")
@roles_required(*ROLES)
def account_token_revoke():
    revoke_from_form(current_user)
    return redirect(url_for("auth.account"))
