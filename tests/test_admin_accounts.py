"""Admin pages: accounts, volunteer assignments, the audit log, and voiding responses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auth_helpers import PASSWORD, assign, log_in, make_user, sign_in
from sqlalchemy import func, select

from surveyapp.admin.responses import VoidError, void_response
from surveyapp.audit import record_audit
from surveyapp.extensions import db
from surveyapp.interviews.service import start_interview
from surveyapp.journey import flow as journey
from surveyapp.models import AuditEvent, Response, SurveyAssignment, User, UserSession, utcnow


@pytest.fixture
def admin(client):
    user = make_user("admin@example.org", "admin")
    sign_in(client, user)
    return user


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_admin_creates_an_account_and_it_is_audited_without_the_password(client, admin):
    response = client.post(
        "/admin/users/new",
        data={"email": "New.Person@Example.org", "role": "analyst", "password": "river-copper-window-9"},
    )
    assert response.status_code == 302 and response.location == "/admin/users"
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.role == "analyst" and user.password_hash.startswith("$argon2id$")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_created"))
    assert event.target == "new.person@example.org" and event.actor == "admin@example.org"
    everything = " ".join(f"{e.target} {e.detail}" for e in db.session.scalars(select(AuditEvent)))
    assert "river-copper-window-9" not in everything
    assert "new.person@example.org" in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("password, message", [("short", "12 characters"), ("password12345", "too common")])
def test_account_creation_refuses_weak_passwords(client, admin, password, message):
    response = client.post("/admin/users/new", data={"email": "p@example.org", "role": "admin", "password": password})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_deactivating_ends_the_accounts_sessions_and_is_audited(app, client, admin):
    volunteer = make_user("vol@example.org", "volunteer")
    theirs = app.test_client()
    sign_in(theirs, volunteer)
    assert theirs.get("/interviews/").status_code == 200
    assert client.post(f"/admin/users/{volunteer.id}/deactivate").status_code == 302
    assert theirs.get("/interviews/").status_code == 302
    assert log_in(app.test_client(), "vol@example.org").status_code == 200  # refused with the form error
    assert "user_deactivated" in audit_actions()
    # An admin cannot lock themselves out.
    client.post(f"/admin/users/{admin.id}/deactivate")
    db.session.refresh(admin)
    assert admin.active
    client.post(f"/admin/users/{volunteer.id}/reactivate")
    assert log_in(app.test_client(), "vol@example.org", PASSWORD).status_code == 302


def test_volunteers_are_assigned_to_interview_surveys_only(client, admin, import_survey):
    interview = import_survey("interview")
    link = import_survey(
        "link",
        text="slug: by-link\ntitle: L\npages: [{name: p, title: P, questions: "
        "[{name: q, type: short_text, label: Q}]}]\n",
    )
    volunteer = make_user("vol@example.org", "volunteer")
    page = client.get(f"/admin/users/{volunteer.id}/assignments").get_data(as_text=True)
    assert "Interview test" in page and ">L<" not in page
    assert (
        client.post(f"/admin/users/{volunteer.id}/assignments", data={"survey": [str(interview.id)]}).status_code == 302
    )
    assert db.session.scalars(select(SurveyAssignment.survey_id)).all() == [interview.id]
    assert client.post(f"/admin/users/{volunteer.id}/assignments", data={"survey": [str(link.id)]}).status_code == 400
    assert client.post(f"/admin/users/{volunteer.id}/assignments", data={}).status_code == 302
    assert db.session.scalars(select(SurveyAssignment.survey_id)).all() == []
    assert audit_actions()[-2:] == ["volunteer_assigned", "volunteer_unassigned"]


def test_the_audit_log_filters_by_action_user_and_date(client, admin):
    other = make_user("other@example.org", "analyst")
    old = record_audit(db.session, "export", target="old", actor=other.email, user_id=other.id)
    old.at = utcnow() - timedelta(days=10)
    record_audit(db.session, "export", target="new-by-other", actor=other.email, user_id=other.id)
    record_audit(db.session, "survey_imported", target="by-admin", actor=admin.email, user_id=admin.id)
    db.session.commit()

    def targets(**query):
        html = client.get("/admin/audit", query_string=query).get_data(as_text=True)
        return {t for t in ("old", "new-by-other", "by-admin") if f">{t}<" in html}

    assert targets() == {"old", "new-by-other", "by-admin"}
    assert targets(action="export") == {"old", "new-by-other"}
    assert targets(user=other.id) == {"old", "new-by-other"}
    today = utcnow().date()
    assert targets(**{"from": (today - timedelta(days=1)).isoformat()}) == {"new-by-other", "by-admin"}
    assert targets(to=(today - timedelta(days=5)).isoformat()) == {"old"}
    assert "Enter the from date" in client.get("/admin/audit", query_string={"from": "yesterday"}).get_data(
        as_text=True
    )


def test_sign_ins_appear_in_the_audit_log(app, client, admin):
    make_user("analyst@example.org", "analyst")
    log_in(app.test_client(), "analyst@example.org")
    log_in(app.test_client(), "analyst@example.org", "wrong-password-123")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "sign_in_failed" in html and ">sign_in<" in html


@pytest.fixture
def completed_interview(import_survey):
    survey = import_survey("interview")
    volunteer = make_user("vol@example.org", "volunteer")
    assign(volunteer, survey)
    response = start_interview(db.session, survey, volunteer, "V-1")
    questionnaire = journey.questionnaire_of(response.version)
    journey.save_answers(db.session, response, questionnaire, {"agree": "yes", "satisfied": "yes"}, [])
    journey.mark_completed(db.session, response)
    db.session.commit()
    return survey, response


def test_admin_voids_a_response_with_a_reason_and_it_leaves_the_results(client, admin, completed_interview):
    survey, response = completed_interview
    listing = client.get(f"/admin/surveys/{survey.slug}/responses").get_data(as_text=True)
    assert "vol@example.org" in listing and "V-1" in listing and f"/admin/responses/{response.id}/void" in listing
    # One completed interview: the Surveys list shows it under the survey's disclosure policy, as the dashboards do.
    index_cell = '<td class="govuk-table__cell govuk-table__cell--numeric">*</td>'
    assert index_cell in client.get("/admin/").get_data(as_text=True)
    assert client.post(f"/admin/responses/{response.id}/void", data={"reason": ""}).status_code == 302
    db.session.refresh(response)
    assert response.voided_at is None
    assert (
        client.post(f"/admin/responses/{response.id}/void", data={"reason": "Entered twice by mistake"}).status_code
        == 302
    )
    db.session.refresh(response)
    assert response.voided_at is not None and response.voided_by_id == admin.id
    assert response.void_reason == "Entered twice by mistake"
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1  # kept, not deleted
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response_voided"))
    assert (
        event.survey_id == survey.id
        and event.actor == "admin@example.org"
        and event.target == f"response {response.id}"
    )
    assert index_cell not in client.get("/admin/").get_data(as_text=True)  # no longer counted
    assert "Voided" in client.get(f"/admin/surveys/{survey.slug}/responses").get_data(as_text=True)


def test_a_response_is_voided_once(app, admin, completed_interview):
    _survey, response = completed_interview
    void_response(db.session, response, admin, "first")
    with pytest.raises(VoidError):
        void_response(db.session, response, admin, "second")
    with pytest.raises(VoidError):
        void_response(db.session, response, admin, "x" * 1001)
    assert response.void_reason == "first"


def test_analysts_and_volunteers_cannot_void(app, completed_interview):
    _survey, response = completed_interview
    for role in ("analyst", "volunteer"):
        client = app.test_client()
        sign_in(client, make_user(f"{role}2@example.org", role))
        assert client.post(f"/admin/responses/{response.id}/void", data={"reason": "no"}).status_code == 403
    db.session.refresh(response)
    assert response.voided_at is None


def test_server_side_sessions_store_only_a_hash(client):
    make_user("admin@example.org", "admin")
    log_in(client, "admin@example.org")
    with client.session_transaction() as cookie:
        session_id = cookie["sid"]
    row = db.session.scalar(select(UserSession))
    assert session_id not in row.token_hash and len(row.token_hash) == 64


def test_cli_imports_and_status_changes_are_audited(runner):
    from conftest import QUESTIONNAIRES

    assert runner.invoke(args=["surveys", "import", str(QUESTIONNAIRES / "interview.yaml")]).exit_code == 0
    assert runner.invoke(args=["surveys", "open", "test-interview"]).exit_code == 0
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor, AuditEvent.target).order_by(AuditEvent.id)
    ).all()
    assert [tuple(e) for e in events] == [
        ("survey_imported", "cli", "test-interview"),
        ("survey_opened", "cli", "test-interview"),
    ]


def test_a_deactivated_accounts_api_token_stops_working(app, runner):
    make_user("analyst@example.org", "analyst")
    token = runner.invoke(args=["users", "token", "analyst@example.org"]).output.strip().splitlines()[-1]
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/surveys", headers=headers).status_code == 200
    runner.invoke(args=["users", "deactivate", "analyst@example.org"])
    assert api.get("/api/surveys", headers=headers).status_code == 401
