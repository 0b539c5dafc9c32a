"""Analysts an admin has allowed on a survey may use the editor for that survey, and only that survey.

Every editor endpoint (walked from the app's URL map, so a new one is tried too) is requested by GET and
POST as an analyst allowed on the survey, an analyst who is not, an allowed analyst on another survey, a
volunteer and an anonymous visitor. The admin page that allows analysts, its audit rows, and publishing by
an allowed analyst (audited with their name) are here too.
"""

from __future__ import annotations

import pytest
from auth_helpers import make_user, sign_in
from flask import url_for
from sqlalchemy import func, select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, PreviewLink, Survey, SurveyEditor, SurveyVersion
from surveyapp.services import drafts
from surveyapp.services.preview_links import create_link

METHODS = ("GET", "POST")


def _editor_rules():
    app = create_app({"SURVEYAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("editor.")
        for method in METHODS
        if method in rule.methods
    )


EDITOR_RULES = _editor_rules()
ADMIN_ONLY = {"editor.create"}  # a new survey is not one an analyst was allowed on


def test_the_editor_rules_were_found():
    endpoints = {endpoint for endpoint, _rule, _method in EDITOR_RULES}
    assert {"editor.overview", "editor.publish", "editor.question_edit", "editor.preview_link_revoke"} <= endpoints


@pytest.fixture
def world(app, import_survey):
    allowed_survey = import_survey("interview")
    other_survey = import_survey("short_text")
    analyst = make_user("allowed@example.org", "analyst")
    db.session.add(SurveyEditor(user_id=analyst.id, survey_id=allowed_survey.id))
    links = {s.slug: create_link(db.session, s)[0] for s in (allowed_survey, other_survey)}
    for survey in (allowed_survey, other_survey):  # a shared list, for the list's own pages
        shared = {"frequency": [{"value": "never", "label": "Never"}, {"value": "often", "label": "Often"}]}
        drafts.save_draft(survey, {**drafts.draft_of(survey), "choice_lists": shared})
    db.session.commit()
    people = {
        "allowed": analyst,
        "not_allowed": make_user("other-analyst@example.org", "analyst"),
        "volunteer": make_user("volunteer@example.org", "volunteer"),
    }
    return {"allowed": allowed_survey, "other": other_survey, "people": people, "links": links}


def _url(app, endpoint: str, rule: str, survey: Survey, link: PreviewLink) -> str:
    values = {
        "slug": survey.slug,
        "page_name": "consent",
        "question_name": "agree",
        "link_id": link.id,
        "list_name": "frequency",
    }
    if survey.slug == "test-short-text":
        first = survey.current_version.definition["pages"][0]
        values.update(page_name=first["name"], question_name=first["questions"][0]["name"])
    rule_obj = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule)
    with app.test_request_context():
        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule_obj.arguments})


def _client(app, user=None):
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    return client


@pytest.mark.parametrize(("endpoint", "rule", "method"), EDITOR_RULES)
def test_who_may_use_each_editor_route(app, world, endpoint, rule, method):
    people = world["people"]
    own = _url(app, endpoint, rule, world["allowed"], world["links"]["test-interview"])
    other = _url(app, endpoint, rule, world["other"], world["links"]["test-short-text"])
    refusals = [
        ("analyst not allowed", people["not_allowed"], own),
        ("allowed analyst, another survey", people["allowed"], other),
        ("volunteer", people["volunteer"], own),
    ]
    for who, user, url in refusals:
        response = _client(app, user).open(url, method=method, data={})
        assert response.status_code == 403, (who, method, url, response.status_code)
    anonymous = _client(app).open(own, method=method, data={})
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login?next="), (method, own)
    # Last, as an allowed request may change the draft (publish, delete).
    response = _client(app, people["allowed"]).open(own, method=method, data={})
    if endpoint in ADMIN_ONLY:
        assert response.status_code == 403
    else:
        assert response.status_code < 500 and response.status_code not in (401, 403, 404), (method, own, response)
        assert not (response.location or "").startswith("/login")


def test_an_admin_allows_an_analyst_and_each_change_is_audited(app, import_survey):
    first, second = import_survey("interview"), import_survey("short_text")
    admin = _client(app, make_user("admin@example.org", "admin"))
    analyst = make_user("cochair@example.org", "analyst")
    page = admin.get(f"/admin/users/{analyst.id}/editor-surveys")
    assert page.status_code == 200 and "Surveys this analyst may edit" in page.text
    saved = admin.post(f"/admin/users/{analyst.id}/editor-surveys", data={"survey": [first.id, second.id]})
    assert saved.status_code == 302
    assert set(db.session.scalars(select(SurveyEditor.survey_id).where(SurveyEditor.user_id == analyst.id))) == {
        first.id,
        second.id,
    }
    admin.post(f"/admin/users/{analyst.id}/editor-surveys", data={"survey": [second.id]})
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id)).all()
    assert [tuple(r) for r in rows] == [
        ("survey_editor_allowed", "test-interview"),
        ("survey_editor_allowed", "test-short-text"),
        ("survey_editor_removed", "test-interview"),
    ]
    listing = admin.get("/admin/users").text
    assert "May edit: Short text test" in listing or "May edit: " + second.title in listing
    signed_in = _client(app, analyst)
    assert signed_in.get("/admin/surveys/test-interview/editor").status_code == 403
    assert signed_in.get("/admin/surveys/test-short-text/editor").status_code == 200
    assert "/admin/surveys/test-short-text/editor" in signed_in.get("/admin/").text


def test_only_analysts_are_allowed_and_bad_survey_ids_are_refused(app, import_survey):
    survey = import_survey("interview")
    admin = _client(app, make_user("admin@example.org", "admin"))
    volunteer = make_user("vol@example.org", "volunteer")
    analyst = make_user("cochair@example.org", "analyst")
    refused = admin.post(f"/admin/users/{volunteer.id}/editor-surveys", data={"survey": [survey.id]})
    assert refused.status_code == 302 and refused.location.endswith("/admin/users")
    for bad in ("999999", "abc", "-1", "1" * 40, "<script>"):
        assert admin.post(f"/admin/users/{analyst.id}/editor-surveys", data={"survey": [bad]}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SurveyEditor)) == 0
    assert admin.get("/admin/users/999999/editor-surveys").status_code == 404


def test_an_allowed_analyst_publishes_and_the_audit_names_them(app, import_survey):
    survey = import_survey("short_text")
    analyst = make_user("cochair@example.org", "analyst")
    db.session.add(SurveyEditor(user_id=analyst.id, survey_id=survey.id))
    db.session.commit()
    client = _client(app, analyst)
    assert client.post("/admin/surveys/test-short-text/editor/details", data={"title": "Reworded"}).status_code == 302
    published = client.post("/admin/surveys/test-short-text/editor/publish")
    assert published.status_code == 302 and published.location.endswith("/admin/surveys/test-short-text/editor")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey_published"))
    assert event.actor == "cochair@example.org" and event.user_id == analyst.id
    assert "cochair@example.org (analyst)" in event.detail
    db.session.expire_all()
    assert db.session.scalar(select(SurveyVersion.definition["title"].as_string())) == "Reworded"
