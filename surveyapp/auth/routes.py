"""Sign-in and sign-out."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from ..extensions import db, login_manager
from ..models import User, utcnow
from . import bp
from .forms import LoginForm
from .passwords import DUMMY_HASH, verify_password
from .users import api_token_hash

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see this page."


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.request_loader
def load_user_from_api_token(req):
    """`Authorization: Bearer <token>` for the JSON API (tokens from `flask users token EMAIL`)."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    user = db.session.scalar(select(User).where(User.api_token_hash == api_token_hash(header[7:].strip())))
    return user if user is not None and user.active else None


def home_for(user) -> str:
    if user.role == "volunteer":
        return url_for("admin.index")
    return url_for("admin.index")


def _safe_next(target: str | None) -> str | None:
    # Only local paths: never send someone to another site after sign-in.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        ok = verify_password(user.password_hash if user else DUMMY_HASH, form.password.data)
        if user is not None and ok and user.active:
            login_user(user)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        error = "Enter a correct email address and password"
    errors = [{"text": error, "href": "#email"}] if error else [
        {"text": e, "href": f"#{name}"} for name, msgs in form.errors.items() for e in msgs if name != "csrf_token"
    ]
    return render_template("auth/login.html", title="Sign in", form=form, errors=errors), (200 if not error else 200)


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
