"""Admin pages: an account's API tokens, with a button to revoke each."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext

from ..auth.access import roles_required
from ..auth.forms import RevokeTokenForm
from ..auth.token_revocation import revoke_from_form
from ..extensions import db
from ..models import User
from ..services.tokens import tokens_of
from . import bp


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/<id:user_id>/tokens")
@roles_required("admin")
def user_tokens(user_id):
    person = _user(user_id)
    return render_template(
        "admin/user_tokens.html",
        title=gettext("API tokens of %(email)s", email=person.email),
        person=person,
        tokens=tokens_of(db.session, person),
        revoke_url=url_for("admin.user_token_revoke", user_id=person.id),
        form=RevokeTokenForm(),
    )


@bp.post("/users/<id:user_id>/tokens/revoke")
@roles_required("admin")
def user_token_revoke(user_id):
    revoke_from_form(_user(user_id))
    return redirect(url_for("admin.user_tokens", user_id=user_id))
