"""CSRF on every state-changing route, enumerated from the app's URL map (not a hand-written list).

Each POST/PUT/PATCH/DELETE rule is requested with real URL values by a role the route is meant for (signed in,
or holding the personal link's token), without a CSRF token and with a forged one: both must answer 400 with
the "form had expired" page. The one exemption is RFC 8058 one-click unsubscribe, which mailbox providers POST
without a form. (This replaces the hand-written list of admin POSTs that was in test_mail_admin.py.)
"""

from __future__ import annotations

import pytest
from access_matrix import ACCESS, ADMIN, ANALYST, RESPONDENT, VOLUNTEER
from auth_helpers import sign_in
from conftest import csrf_token_from, make_app
from route_values import build_world, path_for, values_for

from surveyapp import create_app
from surveyapp.extensions import db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
EXEMPT = {"optout.one_click"}  # RFC 8058: List-Unsubscribe-Post, keyed by the token in the URL
CSRF_PAGE = "The form had expired or was sent from another page"


def _state_changing_rules():
    app = create_app({"SURVEYAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods & STATE_CHANGING)
    )


RULES = _state_changing_rules()


def test_the_map_has_state_changing_routes_and_the_exemptions_exist():
    endpoints = {endpoint for endpoint, _, _ in RULES}
    assert len(endpoints) >= 20, endpoints
    assert EXEMPT <= endpoints


@pytest.fixture
def world(app, import_survey, invite):
    return build_world(import_survey, invite)


@pytest.fixture
def csrf_app(database_url):
    csrf_app = make_app(database_url, WTF_CSRF_ENABLED=True)
    yield csrf_app


def _role_for(endpoint: str) -> str | None:
    allowed = ACCESS[endpoint]
    for role in (ADMIN, VOLUNTEER, ANALYST):
        if role in allowed:
            return role
    return RESPONDENT if RESPONDENT in allowed else None


@pytest.mark.parametrize(("endpoint", "rule_text", "method"), RULES, ids=[f"{m} {r}" for _, r, m in RULES])
def test_a_state_changing_request_without_a_csrf_token_is_refused(app, world, csrf_app, endpoint, rule_text, method):
    rule = next(r for r in csrf_app.url_map.iter_rules() if r.rule == rule_text and r.endpoint == endpoint)
    with csrf_app.test_request_context():
        path = path_for(rule, values_for(world, endpoint))
    client = csrf_app.test_client()
    role = _role_for(endpoint)
    if role in world["users"]:
        sign_in(client, world["users"][role])
    db.session.remove()  # the requests below run in csrf_app's own sessions
    # The client has a CSRF secret in its session (as after any page), but the request carries no token.
    csrf_token_from(client.get("/admin/" if role in world["users"] else "/login").get_data(as_text=True))
    response = client.open(path, method=method, data={"anything": "x"})
    if endpoint in EXEMPT:
        assert response.status_code != 400 or CSRF_PAGE not in response.get_data(as_text=True)
        return
    assert response.status_code == 400, (role, method, path, response.status_code)
    assert CSRF_PAGE in response.get_data(as_text=True), (role, method, path)
    # With a wrong token: refused the same way.
    response = client.open(path, method=method, data={"anything": "x", "csrf_token": "forged-" + "x" * 80})
    assert response.status_code == 400 and CSRF_PAGE in response.get_data(as_text=True), (role, method, path)
