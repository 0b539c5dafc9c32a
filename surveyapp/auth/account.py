"""Your account: the signed-in person's own API tokens, each of which they can revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..audit import record_audit
from ..extensions import db
from ..models import ROLES, ApiToken, User
from . import bp
from .access import roles_required
from .forms import RevokeTokenForm
from .tokens import revoke_token, tokens_of


def revoke_from_form(owner: User) -> ApiToken:
    """The token named by a valid RevokeTokenForm, if it is `owner`'s (else 404), revoked and audited."""
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    row = db.session.scalar(select(ApiToken).where(ApiToken.id == form.token_id.data, ApiToken.user_id == owner.id))
    if row is None:
        abort(404)
    if revoke_token(db.session, row):
        record_audit(db.session, "api_token_revoked", target=owner.email, detail=f"token {row.id} ({row.scope})")
    db.session.commit()
    flash(f"Token {row.id} no longer works.", "success")
    return row


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
