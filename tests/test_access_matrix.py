"""The role/route matrix: every endpoint of the app, requested by every role, against tests/access_matrix.py.

Allowed roles must get an answer that is not a refusal (401, 403, 404, or a
redirect to /login) and not an error; the others must be refused: anonymous
people and respondents are sent to /login on signed-in pages, signed-in people
get 403 or 404. URL parameters are filled with real objects: a survey, a
personal link's token (given only to the respondent; the others try a wrong
one), a draft interview of volunteer A.
"""

from __future__ import annotations

import pytest
from access_matrix import ACCESS, ADMIN, ANALYST, ANONYMOUS, RESPONDENT, ROLES, TOKEN_HOLDER, VOLUNTEER
from auth_helpers import assign, make_user, sign_in
from flask import url_for
from route_values import tiny_png

from surveyapp import create_app
from surveyapp.contacts.importer import import_contacts, store_problem_report
from surveyapp.extensions import db
from surveyapp.interviews.service import start_interview
from surveyapp.models import ReportShare, SurveyEditor
from surveyapp.services import drafts
from surveyapp.services.images import add_image
from surveyapp.services.preview_links import create_link
from surveyapp.services.tokens import token_hash

LINK_SURVEY = """slug: matrix-link
title: Matrix by link
pages:
  - name: consent
    title: First
    questions: [{name: q, type: short_text, label: Q}]
"""
METHODS_TRIED = ("GET", "POST")


def _endpoints():
    app = create_app({"SURVEYAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()})


ENDPOINTS = _endpoints()


def test_every_endpoint_is_in_the_table():
    missing = [e for e in ENDPOINTS if e not in ACCESS]
    assert not missing, f"add these endpoints to tests/access_matrix.py: {missing}"
    stale = [e for e in ACCESS if e not in ENDPOINTS]
    assert not stale, f"these endpoints no longer exist; remove them from tests/access_matrix.py: {stale}"


def test_the_table_agrees_with_the_access_decorator(app):
    for endpoint, view in app.view_functions.items():
        declared = getattr(view, "allowed_roles", None)
        if declared is not None:
            assert set(declared) == ACCESS[endpoint] & {VOLUNTEER, ANALYST, ADMIN}, endpoint


@pytest.fixture
def world(app, import_survey, invite):
    """A link survey with one invitation, an interview survey, four accounts, and volunteer A's draft interview."""
    link_survey = import_survey("matrix-link", text=LINK_SURVEY)
    invitation, token, _path = invite(link_survey)
    interview_survey = import_survey("interview")
    users = {role: make_user(f"{role}@example.org", role) for role in (ADMIN, ANALYST, VOLUNTEER)}
    volunteer_b = make_user("volunteer-b@example.org", VOLUNTEER)
    for volunteer in (users[VOLUNTEER], volunteer_b):
        assign(volunteer, interview_survey)
    db.session.add(SurveyEditor(user_id=users[ANALYST].id, survey_id=interview_survey.id))  # the editor's analyst
    preview_link, _ = create_link(db.session, interview_survey)
    shared = {"frequency": [{"value": "never", "label": "Never"}, {"value": "often", "label": "Often"}]}
    drafts.save_draft(interview_survey, {**drafts.draft_of(interview_survey), "choice_lists": shared})  # the editor's
    preview_link.token_hash = token_hash(token)  # the link is the credential: the respondent holds it
    draft = start_interview(db.session, interview_survey, users[VOLUNTEER], "A-1")
    draft.current_page = "consent"
    image, _ = add_image(db.session, interview_survey, "picture.png", tiny_png())
    problems = import_contacts(db.session, "email\nnot-an-email\n")
    stored_report = store_problem_report(db.session, problems, "bad.csv", None)
    db.session.commit()
    report_ids = _report_back(interview_survey, users[ANALYST], token)
    values = {
        **report_ids,
        "slug": interview_survey.slug,
        "status": "closed",
        "kind": "s",
        "page_name": "consent",
        "question_name": "agree",
        "response_id": draft.id,
        "user_id": volunteer_b.id,
        "filename": "favicon.svg",
        "contact_id": invitation.contact_id,
        "invitation_id": invitation.id,
        "action": "send",
        "report_id": stored_report.id,
        "link_id": preview_link.id,
        "image_id": image.id,
        "path": f"{interview_survey.slug}/picture.png",
        "list_name": "frequency",
    }
    return {"token": token, "users": users, "volunteer_b": volunteer_b, "values": values}


def _report_back(survey, author, token: str) -> dict:
    """A report back with a section and an action, and a final one shared with the respondent's token."""
    from surveyapp.services import report_backs as service

    draft = service.create_report(db.session, survey, "Matrix sheet", "Matrix group", created_by_id=author.id)
    section = service.add_section(draft, heading="Section", narrative="Text")
    service.add_action(draft, "Ask something")
    final = service.create_report(db.session, survey, "Shared sheet", "Other group", created_by_id=author.id)
    service.finalise(db.session, final)
    share, _ = service.create_share(db.session, final, 7)
    share.token_hash = service.share_token_hash(token)  # the link is the credential: the respondent holds it
    old_share = ReportShare(report_id=draft.id, token_hash="0" * 64, expires_at=share.expires_at)  # to revoke
    db.session.add(old_share)
    db.session.commit()
    return {"report_id": draft.id, "section_id": section.id, "action_id": draft.actions[0].id, "share_id": old_share.id}


# URL values that differ by endpoint (the same argument name means different things).
ENDPOINT_VALUES = {
    "reports.section_change": {"change": "up"},
    "admin.template_edit": {"kind": "invitation"},
    "dashboards.export": {"filename": "responses.csv"},
    "dashboards.free_text": {"name": "why_not"},
}


def _url(app, rule, world, token: str) -> str:
    overrides = ENDPOINT_VALUES.get(rule.endpoint, {})
    values = {
        name: overrides.get(name, world["values"].get(name)) for name in rule.arguments if name not in ("key", "token")
    }
    for name in ("key", "token"):
        if name in rule.arguments:
            values[name] = token
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _client_for(app, world, role):
    client = app.test_client()
    if role in world["users"]:
        sign_in(client, world["users"][role])
    elif role == "volunteer_b":
        sign_in(client, world["volunteer_b"])
    return client


def _is_refusal(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    # Flask-Login's refusal says where to come back to; /logout's own redirect to /login does not.
    return response.status_code in (301, 302, 303) and response.location.startswith("/login?next=")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_role_gets_what_the_table_says(app, world, endpoint):
    allowed = ACCESS.get(endpoint)
    assert allowed is not None, f"{endpoint} is not in tests/access_matrix.py"
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    # Refusals first, so that an allowed destructive request (void, deactivate) cannot hide one.
    order = sorted(ROLES, key=lambda role: role in allowed)
    for rule in rules:
        for method in [m for m in METHODS_TRIED if m in rule.methods]:
            for role in order:
                token = world["token"] if role == RESPONDENT else "not-the-token-" + "x" * 30
                client = _client_for(app, world, role)
                url = _url(app, rule, world, token)
                response = client.open(url, method=method, data={})
                response.close()  # a streamed file (plotly.js) keeps its context until closed
                what = f"{role} {method} {url} -> {response.status_code} {response.location or ''}"
                assert response.status_code < 500, what
                if role in allowed:
                    assert not _is_refusal(response), what
                    continue
                assert _is_refusal(response), what
                if role in (ANONYMOUS, RESPONDENT) and endpoint.startswith("api."):
                    assert response.status_code == 401, what  # an API answers 401, it does not redirect
                elif role in (ANONYMOUS, RESPONDENT) and TOKEN_HOLDER != allowed:
                    assert response.status_code == 302 and response.location.startswith("/login?next="), what
                elif role in (VOLUNTEER, ANALYST, ADMIN):
                    assert response.status_code in (403, 404), what


INTERVIEW_ENDPOINTS = [e for e in ENDPOINTS if e.startswith("interviews.")]


@pytest.mark.parametrize("endpoint", INTERVIEW_ENDPOINTS)
def test_volunteer_b_cannot_reach_volunteer_a_s_interview(app, world, endpoint):
    for rule in [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]:
        if "response_id" not in rule.arguments:
            continue
        for method in [m for m in METHODS_TRIED if m in rule.methods]:
            response = _client_for(app, world, "volunteer_b").open(_url(app, rule, world, ""), method=method, data={})
            assert response.status_code in (403, 404), (method, rule.rule, response.status_code)
