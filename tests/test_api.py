"""The JSON API: Bearer tokens and sessions, 401 without either, disclosure control and its audited exact flag."""

import pytest
from flask import g

from surveyapp.demo import load_demo
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User
from surveyapp.services.tokens import issue_token
from surveyapp.services.users import create_user, find_user


@pytest.fixture
def demo(app):
    load_demo(db.session)
    db.session.commit()


def token_for(role: str) -> str:
    email = f"api-{role}@example.org"
    if db.session.scalar(db.select(User.id).where(User.email == email)) is None:
        create_user(db.session, email, role, "a-long-test-password-123")
    token, _ = issue_token(db.session, find_user(db.session, email))
    db.session.commit()
    return token


def bearer(token: str) -> dict:
    # The test's app context outlives each request, and Flask-Login caches the user in g: forget it,
    # as a real request (with its own app context) would.
    g.pop("_login_user", None)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/api/surveys", "/api/surveys/gp-iapt/stats", "/api/surveys/gp-iapt/results"])
def test_without_a_token_the_api_answers_401_json(client, demo, path):
    response = client.get(path)
    assert response.status_code == 401 and response.is_json
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(path, headers=bearer("not-a-real-token")).status_code == 401


def test_stats_with_a_bearer_token(client, demo):
    response = client.get("/api/surveys/gp-iapt/stats", headers=bearer(token_for("analyst")))
    assert response.status_code == 200
    data = response.get_json()
    for key in ("invited", "emailed", "opened", "started", "completed", "response_rate"):
        assert key in data
    # The demo GP survey is professional opinion: totals and the rate are exact; invited is never rounded.
    assert data["invited"] == 206 and data["completed"] == 20 and data["response_rate"] == 9.7
    assert data["response_rate_ci"] == [6.4, 14.5] and data["disclosure"]["applied"] is True
    assert data["disclosure"]["policy"] == "professional" and "fewer than 5" in data["disclosure"]["rule"]
    assert not any(key.startswith("_") for key in data)


def test_stats_breakdown_by_attribute(client, demo):
    data = client.get("/api/surveys/gp-iapt/stats?by=pct", headers=bearer(token_for("analyst"))).get_json()
    segments = {row["segment"]: row for row in data["breakdown"]}
    assert set(segments) == {"north", "south", "east"}
    for row in segments.values():
        assert isinstance(row["invited"], int)  # people invited are not respondents: exact
        assert row["completed"] == "*" or row["completed"] >= 5  # cells of fewer than 5 are hidden
        assert row["response_rate"] == "*" or row["completed"] != "*"
    bad = client.get("/api/surveys/gp-iapt/stats?by=nope", headers=bearer(token_for("admin")))
    assert bad.status_code == 400 and "pct" in bad.get_json()["attributes"]


def test_exact_flag_gives_exact_figures_and_is_audited(client, demo):
    data = client.get("/api/surveys/gp-iapt/stats?exact=1", headers=bearer(token_for("analyst"))).get_json()
    assert data["invited"] == 206 and data["disclosure"]["applied"] is False
    assert data["response_rate"] == 9.7 and data["response_rate_ci"] == [6.4, 14.5]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "results.exact_figures"))
    assert event.actor == "api-analyst@example.org" and event.target == "api.stats"


def test_results_aggregates_per_question(client, demo):
    data = client.get("/api/surveys/gp-iapt/results?exact=1", headers=bearer(token_for("analyst"))).get_json()
    assert data["respondents"] == 20
    questions = {q["name"]: q for q in data["questions"]}
    area = questions["practice_area"]
    assert sum(c["count"] for c in area["choices"]) == 20 and area["type"] == "single_choice"
    assert questions["referrals"]["summary"]["n"] == 20
    filtered = client.get(
        "/api/surveys/gp-iapt/results?attr=pct&value=north&exact=1", headers=bearer(token_for("admin"))
    ).get_json()
    assert 0 < filtered["respondents"] < 20
    assert client.get("/api/surveys/gp-iapt/results?from=bad", headers=bearer(token_for("admin"))).status_code == 400


def test_session_sign_in_works_too(client, demo):
    client.post("/login", data={"email": "cochair@example.org", "password": "demo-password-not-for-real-use"})
    assert client.get("/api/surveys/gp-iapt/stats").status_code == 200
    assert [s["slug"] for s in client.get("/api/surveys").get_json()["surveys"]] == ["gp-iapt", "phb-interview"]


def test_volunteer_tokens_get_403_and_unknown_surveys_404(client, demo):
    assert client.get("/api/surveys/phb-interview/stats", headers=bearer(token_for("volunteer"))).status_code == 403
    response = client.get("/api/surveys/nope/stats", headers=bearer(token_for("analyst")))
    assert response.status_code == 404 and response.is_json


def test_stats_by_collection_mode_and_by_volunteer(client, demo):
    token = token_for("analyst")
    modes = client.get("/api/surveys/gp-iapt/stats?by=collection_mode&exact=1", headers=bearer(token)).get_json()
    assert modes["breakdown"] == [{"segment": "link", "completed": 20, "in_progress": 5, "voided": 0}]
    people = client.get("/api/surveys/phb-interview/stats?by=volunteer", headers=bearer(token)).get_json()
    assert {row["segment"] for row in people["breakdown"]} == {"volunteer@example.org", "volunteer2@example.org"}
    assert all(row["declined"] in (0, "*") for row in people["breakdown"])


def test_openapi_description_lists_both_endpoints(client):
    spec = client.get("/api/openapi.json").get_json()
    assert {"/surveys/{slug}/stats", "/surveys/{slug}/results"} <= set(spec["paths"])
