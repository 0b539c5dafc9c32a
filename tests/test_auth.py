"""Sign-in, sessions, throttling, password rules, security headers and the users CLI."""

from __future__ import annotations

import re
from datetime import timedelta

import argon2
import pytest
from auth_helpers import PASSWORD, log_in, make_user, sign_in
from conftest import csrf_token_from, make_app
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, LoginAttempt, User, UserSession, utcnow
from surveyapp.security import content_security_policy
from surveyapp.services.passwords import (
    COMMON_PASSWORDS_FILE,
    MAX_LENGTH,
    MIN_LENGTH,
    common_passwords,
    hash_password,
    password_problem,
    verify_password,
)


def error_text(html: str) -> list[str]:
    return [
        " ".join(t.split()) for t in re.findall(r'govuk-error-summary__list">\s*<li>\s*<a [^>]*>(.*?)</a>', html, re.S)
    ]


# --- passwords -------------------------------------------------------------------------------------------


def test_password_hash_is_argon2id_at_or_above_owasp_minimum():
    stored = hash_password("a reasonably long passphrase")
    params = argon2.extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert params.type is argon2.Type.ID
    # OWASP Password Storage Cheat Sheet: argon2id with at least m=19 MiB, t=2, p=1.
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    assert (params.memory_cost, params.time_cost, params.parallelism) == (65536, 3, 4)  # argon2-cffi's defaults
    assert verify_password(stored, "a reasonably long passphrase")
    assert not verify_password(stored, "a reasonably long passphrasE")
    assert not verify_password("not a hash", "anything")


def test_password_rules_length_and_common_list():
    assert MIN_LENGTH == 12 and MAX_LENGTH == 128
    assert "12 characters" in password_problem("short-pass1")
    assert password_problem("x" * 11 + "y") is None or "common" in password_problem("x" * 11 + "y")
    assert password_problem("kettle orbit lantern" + "q" * 108) is None  # 128 is allowed
    assert "128" in password_problem("kettle orbit lantern" + "q" * 109)
    for common in (
        "password1234",
        "qwertyuiop123",
        "1q2w3e4r5t6y",
        "iloveyou!!!!",
        "aaaaaaaaaaaa",
        "abcabcabcabc",
        "Password1234",
        "passwordpassword",
    ):
        assert "too common" in password_problem(common), common
    assert password_problem(PASSWORD) is None
    assert password_problem("correct horse battery staple") is None


def test_common_password_list_ships_thousands_of_entries():
    assert COMMON_PASSWORDS_FILE.exists()
    assert 1000 <= len(common_passwords()) <= 20000
    assert {"password", "qwerty", "iloveyou", "123456789"} <= common_passwords()


# --- signing in ----------------------------------------------------------------------------------------


def test_sign_in_lands_on_the_roles_home_and_is_audited(client):
    make_user("vol@example.org", "volunteer")
    response = log_in(client, "Vol@Example.org ")
    assert response.status_code == 302 and response.location == "/interviews/"
    assert client.get("/interviews/").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in"))
    assert event.actor == "vol@example.org" and event.ip_address == "127.0.0.1"
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.ended_at.is_(None))) == 1


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    make_user("known@example.org", "admin")
    known = log_in(client, "known@example.org", "wrong-password-here")
    unknown = log_in(client, "nobody@example.org", "wrong-password-here")
    assert known.status_code == unknown.status_code == 200
    assert (
        error_text(known.get_data(as_text=True))
        == error_text(unknown.get_data(as_text=True))
        == ["Enter a correct email address and password"]
    )
    failed = db.session.scalars(select(AuditEvent.target).where(AuditEvent.action == "sign_in_failed")).all()
    assert sorted(failed) == ["known@example.org", "nobody@example.org"]
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.detail.contains("wrong-password"))).all()


def test_deactivated_account_cannot_sign_in(client):
    make_user("gone@example.org", "admin", active=False)
    response = log_in(client, "gone@example.org")
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


HOSTILE_NEXT = [
    "//evil.example/",
    "//evil",
    "/\t/evil.example",  # the tab is dropped by browsers, leaving //evil.example
    "/\r\n//evil.example",  # a header injection attempt: must not 500
    "/\n/evil.example",
    "/\\evil",
    "\\\\evil",
    "https://evil",
    "http:/evil",
    "javascript:alert(1)",
    "/%2F/evil",
    "/%2f%2fevil",
    "/%5Cevil",
    "/%09/evil",
    "/\u3000/evil",  # ideographic space
    "/\u2028/evil",  # line separator
    "/\xa0/evil",  # no-break space
    "/\x00/evil",
    "/\u200b/evil",  # zero-width space (a format character)
    "evil.example",
    " /admin/",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_never_redirects_off_site(client, target):
    make_user("admin@example.org", "admin")
    response = log_in(client, "admin@example.org", query_string={"next": target})
    if "\x00" in target:
        # NUL in any field is refused before any view runs (security.py): no sign-in, no redirect.
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_the_raw_query_string_tab_trick_lands_on_the_home_page(client):
    make_user("admin@example.org", "admin")
    for raw in ("/%09/evil.example", "/%0D%0A//evil.example", "%2F%2Fevil.example"):
        client.post("/logout")
        response = client.post(f"/login?next={raw}", data={"email": "admin@example.org", "password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == "/admin/", raw


@pytest.mark.parametrize("target", ["/dashboards/", "/admin/users?page=2", "/admin/contacts?q=a%20b#top"])
def test_sign_in_returns_to_a_page_on_this_site(client, target):
    make_user("admin@example.org", "admin")
    response = log_in(client, "admin@example.org", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == target


def test_too_many_failures_for_one_account_are_throttled_even_with_the_right_password(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    make_user("admin@example.org", "admin")
    for _ in range(3):
        assert log_in(client, "admin@example.org", "not-the-password").status_code == 200
    response = log_in(client, "admin@example.org")
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not signed in
    # An unknown email is throttled the same way, so the answer says nothing about which accounts exist.
    for _ in range(3):
        log_in(client, "nobody@example.org", "not-the-password")
    assert log_in(client, "nobody@example.org", "not-the-password").status_code == 429


def test_throttling_ends_when_the_window_has_passed(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 2
    make_user("admin@example.org", "admin")
    for _ in range(2):
        log_in(client, "admin@example.org", "not-the-password")
    assert log_in(client, "admin@example.org").status_code == 429
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert log_in(client, "admin@example.org").status_code == 302


def test_too_many_failures_from_one_address_are_throttled(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    make_user("admin@example.org", "admin")
    for n in range(4):
        log_in(client, f"guess{n}@example.org", "not-the-password")
    assert log_in(client, "admin@example.org").status_code == 429
    # Another address is not affected.
    other = app.test_client()
    assert log_in(other, "admin@example.org", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302


def test_sign_in_starts_a_new_session(client):
    make_user("admin@example.org", "admin")
    with client.session_transaction() as cookie:
        cookie["planted"] = "by someone else"
    log_in(client, "admin@example.org")
    with client.session_transaction() as cookie:
        assert "planted" not in cookie
        first_sid = cookie["sid"]
    client.post("/logout")
    log_in(client, "admin@example.org")
    with client.session_transaction() as cookie:
        assert cookie["sid"] != first_sid


def test_logout_ends_the_session_and_a_replayed_cookie_is_refused(app, client):
    make_user("admin@example.org", "admin")
    log_in(client, "admin@example.org")
    assert client.get("/admin/").status_code == 200
    stolen = client.get_cookie("session").value
    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"
    row = db.session.scalar(select(UserSession))
    assert row.ended_at is not None
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/admin/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "sign_out")) == "sign_out"


def test_idle_session_times_out(app, client):
    user = make_user("admin@example.org", "admin")
    sign_in(client, user)
    assert client.get("/admin/").status_code == 200
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    response = client.get("/admin/")
    assert response.status_code == 302 and response.location.startswith("/login")
    db.session.refresh(row)
    assert row.ended_at is not None


def test_activity_keeps_the_session_alive_until_the_absolute_limit(app, client):
    user = make_user("admin@example.org", "admin")
    sign_in(client, user)
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.commit()
    assert client.get("/admin/").status_code == 200
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)  # touched
    row.created_at = utcnow() - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(client, runner):
    user = make_user("vol@example.org", "volunteer")
    sign_in(client, user)
    assert client.get("/interviews/").status_code == 200
    result = runner.invoke(args=["users", "deactivate", "vol@example.org"])
    assert result.exit_code == 0, result.output
    assert client.get("/interviews/").status_code == 302
    assert db.session.scalar(select(UserSession.ended_at)) is not None


# --- CSRF, headers, cookies ----------------------------------------------------------------------------


@pytest.fixture
def csrf_client(app, database_url):
    csrf_app = make_app(database_url, WTF_CSRF_ENABLED=True)
    return csrf_app.test_client()


def test_post_without_csrf_token_is_rejected(csrf_client):
    make_user("admin@example.org", "admin")
    assert csrf_client.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 400
    token = csrf_token_from(csrf_client.get("/login").get_data(as_text=True))
    response = csrf_client.post(
        "/login", data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert csrf_client.post("/logout").status_code == 400  # signed in, but no token: refused
    assert csrf_client.get("/admin/").status_code == 200
    page = csrf_client.get("/admin/users").get_data(as_text=True)
    assert (
        csrf_client.post(
            "/admin/users/new", data={"email": "x@example.org", "role": "admin", "password": PASSWORD}
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    db.session.rollback()  # end the read: this test has two apps, each with its own connection
    assert csrf_client.post("/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302


def test_every_response_has_security_headers_and_the_nonce_is_on_the_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "style-src 'self'" in csp and "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"  # never to other sites; HTTPS CSRF needs it here
    assert response.headers["Cache-Control"] == "no-store"
    second = client.get("/login").headers["Content-Security-Policy"]
    assert nonce not in second  # a new nonce every request
    not_found = client.get("/s/not-a-token")
    assert not_found.status_code == 404 and not_found.headers["Cache-Control"] == "no-store"
    static = client.get("/static/favicon.svg")
    assert static.headers["X-Content-Type-Options"] == "nosniff" and "no-store" not in static.headers.get(
        "Cache-Control", ""
    )


def test_inline_styles_only_on_chart_pages():
    assert "'unsafe-inline'" in content_security_policy("n", "/dashboards/gp-iapt")
    assert "'unsafe-inline'" in content_security_policy("n", "/report/x")
    assert "'unsafe-inline'" not in content_security_policy("n", "/admin/")


def test_session_cookie_is_httponly_and_samesite_and_secure_in_production(client):
    from config import config_from_env

    make_user("admin@example.org", "admin")
    cookie = log_in(client, "admin@example.org").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    production = config_from_env({"SURVEYAPP_ENV": "production"})
    assert production["SESSION_COOKIE_SECURE"] and production["SESSION_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_sign_out_button_shows_for_signed_in_users_only(client):
    assert "Sign out" not in client.get("/login").get_data(as_text=True)
    user = make_user("admin@example.org", "admin")
    sign_in(client, user)
    html = client.get("/admin/").get_data(as_text=True)
    assert 'action="/logout"' in html and "Signed in as admin@example.org" in html


# --- users CLI -----------------------------------------------------------------------------------------


def test_cli_create_refuses_a_common_password(runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin", "--password-stdin"], input="password1234\n"
    )
    assert result.exit_code == 1 and "too common" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_cli_set_password_changes_it_and_ends_sessions(client, runner):
    user = make_user("admin@example.org", "admin")
    sign_in(client, user)
    result = runner.invoke(
        args=["users", "set-password", "admin@example.org", "--password-stdin"], input="violet-harbour-engine-57\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/admin/").status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, "violet-harbour-engine-57")
    assert (
        db.session.scalar(select(AuditEvent.target).where(AuditEvent.action == "password_set")) == "admin@example.org"
    )
    bad = runner.invoke(args=["users", "set-password", "admin@example.org", "--password-stdin"], input="short\n")
    assert bad.exit_code == 1 and "12 characters" in bad.output
    missing = runner.invoke(args=["users", "set-password", "nobody@example.org", "--password-stdin"], input="x\n")
    assert missing.exit_code == 1 and "No account" in missing.output


def test_cli_deactivate_unknown_account_is_a_plain_error(runner):
    result = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert result.exit_code == 1 and "No account for nobody@example.org" in result.output
