"""Revoking an API token from its form: shared by Your account and the admin user pages."""

from __future__ import annotations

from flask import abort, flash
from flask_babel import gettext
from sqlalchemy import select

from ..audit import record_audit
from ..extensions import db
from ..models import ApiToken, User
from ..services.tokens import revoke_token
from .forms import RevokeTokenForm


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
    flash(gettext("Token %(number)s no longer works.", number=row.id), "success")
    return row
