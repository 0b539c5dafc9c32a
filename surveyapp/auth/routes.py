"""Sign-in and sign-out, and how each request finds its user.

A browser is signed in only while its server-side session (auth/sessions.py)
is live. The JSON API also takes `Authorization: Bearer <token>` (services/tokens.py,
checked in api/routes.py); anywhere else a Bearer header is refused with 401.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Response, abort, current_app, g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_NAME
from sqlalchemy import func, select

from ..audit import record_audit
from ..extensions import db, login_manager
from ..i18n import (
    INTERFACE_LANGUAGE_NAMES,
    RIGHT_TO_LEFT_INTERFACE_LANGUAGES,
    SESSION_LANGUAGE_KEY,
    chosen_interface_language,
    use_staff_interface_language,
)
from ..models import User, utcnow
from ..services.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from ..services.tokens import bearer_token
from . import bp
from .access import home_for
from .forms import LoginForm, SignOutForm
from .sessions import SESSION_KEY, end_current_session, start_session, validate_session
from .throttle import record_attempt, sign_in_wait

login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Sign in to see this page.")
login_manager.localize_callback = str  # the lazy message, in the page's interface language
login_manager.login_message_category = "info"

WRONG_DETAILS = lazy_gettext("Enter a correct email address and password")


@login_manager.user_loader
def load_user(user_id: str):
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not validate_session(db.session, user.id):
        cookie.pop(SESSION_KEY, None)
        cookie.pop("_user_id", None)
        return None
    return user


@bp.before_app_request
def _load_user_first():
    """Find the user before the view runs, and commit what that changed (last seen, a timed-out session).

    Doing it first means the commit never carries half of a view's work.
    """
    if request.endpoint == "static":
        return
    if not request.path.startswith("/api/") and bearer_token(request) is not None:
        # A token is for the JSON API only: never a way into the pages (exports, admin forms).
        return _bearer_refused()
    # g outlives a request when an app context was pushed already (tests, scripts): load afresh.
    g.pop("_login_user", None)
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_NAME)
    if "_user_id" not in cookie and remember_cookie not in request.cookies:
        # No one signed in (a respondent): nothing for Flask-Login to load or to check against the
        # session's identifier (it would hash the address and user agent on every request).
        g._login_user = login_manager.anonymous_user()
        return
    _ = current_user.is_authenticated
    if db.session().in_transaction():  # the user loader read (or changed) something; anonymous: nothing to end
        db.session.commit()


def _bearer_refused() -> Response:
    return Response(
        "API tokens are accepted only by the JSON API under /api/.\n",
        status=401,
        mimetype="text/plain",
        headers={"WWW-Authenticate": 'Bearer realm="surveyapp", error="invalid_request"'},
    )


def _unsafe_character(c: str) -> bool:
    # Browsers drop tabs and newlines from URLs and treat backslashes as slashes; control, format and
    # separator characters (unicode whitespace included) have no place in a path of ours either.
    return c == "\\" or c.isspace() or unicodedata.category(c)[0] in "CZ"


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, exactly as the redirect will send it; otherwise None.

    The check runs on the final string (werkzeug writes the Location header verbatim), and again on
    the percent-decoded path, so `/%2F/evil` or `/%5Cevil` cannot become another host either.
    """
    if not target or len(target) > 2000 or not target.isascii():
        return None
    parts = urlsplit(target)
    decoded_path = unquote(parts.path)
    for text in (target, decoded_path):
        if any(_unsafe_character(c) for c in text):
            return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//") or decoded_path.startswith("//"):
        return None
    return target


def _wait_message(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Too many attempts to sign in. Wait %(num)s second, then try again.",
            "Too many attempts to sign in. Wait %(num)s seconds, then try again.",
            seconds,
        )
    return ngettext(
        "Too many attempts to sign in. Wait %(num)s minute, then try again.",
        "Too many attempts to sign in. Wait %(num)s minutes, then try again.",
        -(-seconds // 60),
    )


def _render(form, error=None, status=200):
    errors = (
        [{"text": error, "href": "#email"}]
        if error
        else [
            {"text": e, "href": f"#{name}"} for name, msgs in form.errors.items() for e in msgs if name != "csrf_token"
        ]
    )
    page = render_template(
        "auth/login.html",
        title=gettext("Sign in"),
        form=form,
        errors=errors,
        languages=INTERFACE_LANGUAGE_NAMES,
        right_to_left=RIGHT_TO_LEFT_INTERFACE_LANGUAGES,
    )
    return page, status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(home_for(current_user))
    chosen = chosen_interface_language(request.args.get("lang"))
    if chosen:
        # a signed-out visitor's choice of the interface language, kept in the session until they sign in
        cookie[SESSION_LANGUAGE_KEY] = chosen
        use_staff_interface_language(chosen)
    form = LoginForm()
    if not form.validate_on_submit():
        return _render(form)
    email = form.email.data.strip().lower()
    ip_address = request.remote_addr or "unknown"
    wait = sign_in_wait(db.session, email, ip_address)
    if wait:
        record_audit(db.session, "sign_in_throttled", target=email, actor="anonymous", detail=f"wait {wait} s")
        db.session.commit()
        page, status = _render(form, _wait_message(wait), 429)
        return page, status, {"Retry-After": str(wait)}
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    ok = verify_password(user.password_hash if user else DUMMY_HASH, form.password.data)
    if user is not None and ok and user.active:
        record_attempt(db.session, email, ip_address, succeeded=True)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(form.password.data)
        # A fresh session at every sign-in: nothing from before carries over but the language chosen to sign in.
        language = cookie.get(SESSION_LANGUAGE_KEY)
        cookie.clear()
        if language:
            cookie[SESSION_LANGUAGE_KEY] = language
        login_user(user)
        start_session(db.session, user)
        user.last_login_at = utcnow()
        record_audit(db.session, "sign_in", target=user.email, actor=user.email, user_id=user.id)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or home_for(user))
    record_attempt(db.session, email, ip_address, succeeded=False)
    record_audit(db.session, "sign_in_failed", target=email, actor="anonymous")
    db.session.commit()
    return _render(form, WRONG_DETAILS)


@bp.post("/logout")
def logout():
    if not SignOutForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        record_audit(db.session, "sign_out", target=current_user.email)
    end_current_session(db.session)
    db.session.commit()
    logout_user()
    cookie.clear()
    return redirect(url_for("auth.login"))
