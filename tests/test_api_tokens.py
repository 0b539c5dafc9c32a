"""API tokens (issue 13, item 2): only on the JSON API, scoped, expiring, revocable, last use and daily audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auth_helpers import make_user, sign_in
from conftest import csrf_token_from, make_app
from sqlalchemy import func, select

from surveyapp.demo import load_demo
from surveyapp.extensions import db
from surveyapp.models import ApiToken, AuditEvent, User, UserSession, utcnow
from surveyapp.services.tokens import allows, issue_token


@pytest.fixture
def demo(app):
    load_demo(db.session)
    db.session.commit()


def new_token(email: str, role: str = "analyst", **kwargs) -> tuple[str, ApiToken]:
    user = db.session.scalar(select(User).where(User.email == email)) or make_user(email, role)
    token, row = issue_token(db.session, user, **kwargs)
    db.session.commit()
    return token, row


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_an_analysts_token_cannot_download_the_row_level_export(client, demo):
    token, _ = new_token("analyst@example.org")
    assert client.get("/api/surveys", headers=bearer(token)).status_code == 200
    response = client.get("/dashboards/gp-iapt/export/responses.csv", headers=bearer(token))
    assert response.status_code == 401
    assert response.mimetype == "text/plain" and "only by the JSON API" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert client.get("/dashboards/", headers=bearer(token)).status_code == 401


def test_an_admins_token_cannot_load_or_post_the_new_account_form(client):
    token, _ = new_token("admin@example.org", "admin")
    assert client.get("/admin/users/new", headers=bearer(token)).status_code == 401
    response = client.post(
        "/admin/users/new",
        headers=bearer(token),
        data={"email": "mallory@example.org", "role": "admin", "password": "a-long-test-password-123"},
    )
    assert response.status_code == 401
    assert db.session.scalar(select(User).where(User.email == "mallory@example.org")) is None
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_a_bearer_header_does_not_ride_on_a_signed_in_session_outside_the_api(client):
    admin = make_user("admin@example.org", "admin")
    sign_in(client, admin)
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/users", headers=bearer("anything")).status_code == 401


def test_an_unknown_token_on_the_api_is_401_even_with_a_session(client):
    sign_in(client, make_user("analyst@example.org", "analyst"))
    assert client.get("/api/surveys").status_code == 200
    response = client.get("/api/surveys", headers=bearer("not-a-token"))
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_expires(client):
    token, row = new_token("analyst@example.org", days=1)
    assert row.expires_at - row.created_at == timedelta(days=1)
    assert client.get("/api/surveys", headers=bearer(token)).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/surveys", headers=bearer(token))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_the_default_expiry_is_ninety_days_and_the_default_scope_read(client):
    _, row = new_token("analyst@example.org")
    assert row.scope == "read" and row.expires_at - row.created_at == timedelta(days=90)


def test_a_read_token_allows_only_reading(client):
    read, read_row = new_token("analyst@example.org")
    _, write_row = new_token("analyst@example.org", scope="write")
    assert allows(read_row, "GET") and allows(read_row, "HEAD") and not allows(read_row, "POST")
    assert not allows(read_row, "DELETE") and allows(write_row, "POST")
    # The API offers GET only today: other methods are 405, as JSON-free as any unknown method.
    assert client.post("/api/surveys", headers=bearer(read)).status_code == 405


def test_an_account_has_several_tokens_and_revoking_one_leaves_the_others(client):
    first, first_row = new_token("analyst@example.org")
    second, _ = new_token("analyst@example.org")
    sign_in(client, db.session.get(User, first_row.user_id))
    page = client.get("/account").get_data(as_text=True)
    assert "Token 1" in page and "Token 2" in page and first not in page
    response = client.post("/account/tokens/revoke", data={"token_id": first_row.id})
    assert response.status_code == 302 and response.location == "/account"
    # The token wins over the session on the API, so these test the tokens alone.
    assert client.get("/api/surveys", headers=bearer(first)).status_code == 401
    assert client.get("/api/surveys", headers=bearer(second)).status_code == 200
    (event,) = audit_rows("api_token_revoked")
    assert event.actor == "analyst@example.org" and event.target == "analyst@example.org"
    assert "Revoked" in client.get("/account").get_data(as_text=True)


def test_nobody_revokes_another_accounts_token_from_their_own_page(client):
    token, row = new_token("analyst@example.org")
    sign_in(client, make_user("volunteer@example.org", "volunteer"))
    assert client.post("/account/tokens/revoke", data={"token_id": row.id}).status_code == 404
    assert client.post("/account/tokens/revoke", data={"token_id": "9" * 30}).status_code == 400
    assert client.post("/account/tokens/revoke", data={"token_id": "²"}).status_code == 400
    db.session.refresh(row)
    assert row.revoked_at is None


def test_an_admin_sees_and_revokes_an_accounts_tokens(client):
    token, row = new_token("analyst@example.org")
    sign_in(client, make_user("admin@example.org", "admin"))
    assert f"/admin/users/{row.user_id}/tokens" in client.get("/admin/users").get_data(as_text=True)
    page = client.get(f"/admin/users/{row.user_id}/tokens").get_data(as_text=True)
    assert "Token 1" in page and "read only" in page and "Never" in page and token not in page
    assert row.token_hash not in page
    admin_id = db.session.scalar(select(User.id).where(User.email == "admin@example.org"))
    assert client.post(f"/admin/users/{admin_id}/tokens/revoke", data={"token_id": row.id}).status_code == 404
    response = client.post(f"/admin/users/{row.user_id}/tokens/revoke", data={"token_id": row.id})
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None
    (event,) = audit_rows("api_token_revoked")
    assert event.actor == "admin@example.org" and event.target == "analyst@example.org"


def test_revoking_needs_the_csrf_token(database_url, _schema):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        token, row = new_token("analyst@example.org")
        client = app.test_client()
        sign_in(client, db.session.get(User, row.user_id))
        assert client.post("/account/tokens/revoke", data={"token_id": row.id}).status_code == 400
        csrf = csrf_token_from(client.get("/account").get_data(as_text=True))
        assert client.post("/account/tokens/revoke", data={"token_id": row.id, "csrf_token": csrf}).status_code == 302
        db.session.refresh(row)
        assert row.revoked_at is not None
        db.session.remove()
        db.engine.dispose()


def test_last_use_is_recorded_and_the_first_use_of_each_day_is_audited(client):
    token, row = new_token("analyst@example.org")
    assert row.last_used_at is None
    for _ in range(3):
        assert client.get("/api/surveys", headers=bearer(token)).status_code == 200
    db.session.refresh(row)
    assert row.last_used_at is not None and utcnow() - row.last_used_at < timedelta(minutes=1)
    (event,) = audit_rows("api_token_used")
    assert event.actor == "analyst@example.org" and event.detail.startswith(f"token {row.id}")
    # The next day's first use is audited again.
    row.last_used_at = utcnow() - timedelta(days=1)
    db.session.commit()
    client.get("/api/surveys", headers=bearer(token))
    client.get("/api/surveys", headers=bearer(token))
    assert len(audit_rows("api_token_used")) == 2


def test_a_token_ignores_no_deactivation(client, runner):
    token, _ = new_token("analyst@example.org")
    runner.invoke(args=["users", "deactivate", "analyst@example.org"])
    assert client.get("/api/surveys", headers=bearer(token)).status_code == 401
    runner.invoke(args=["users", "reactivate", "analyst@example.org"])
    db.session.execute(db.update(User).values(active=True))  # reactivation does not bring tokens back
    db.session.commit()
    assert client.get("/api/surveys", headers=bearer(token)).status_code == 401


def test_cli_token_has_days_and_scope_and_prints_the_token_last(client, runner):
    make_user("analyst@example.org", "analyst")
    result = runner.invoke(args=["users", "token", "analyst@example.org", "--days", "7", "--scope", "write"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    row = db.session.scalar(select(ApiToken))
    assert row.scope == "write" and row.expires_at - row.created_at == timedelta(days=7)
    assert client.get("/api/surveys", headers=bearer(token)).status_code == 200
    default = runner.invoke(args=["users", "token", "analyst@example.org"])
    assert default.exit_code == 0 and len(default.output.strip().splitlines()[-1]) >= 40
    assert runner.invoke(args=["users", "token", "analyst@example.org", "--days", "0"]).exit_code != 0
    assert runner.invoke(args=["users", "token", "analyst@example.org", "--scope", "admin"]).exit_code != 0
    missing = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert missing.exit_code == 1 and "No account" in missing.output
    (issued, _) = audit_rows("api_token_issued")
    assert issued.target == "analyst@example.org" and "write" in issued.detail
