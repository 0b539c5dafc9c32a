"""Public-link pages from pre-rendered shells (templating.render_shell) and the journey's own connection
(database.ConnectionSession): each visitor still gets their own CSRF token, nonce, answers and reference,
a signed-in user never gets an anonymous shell, and a browser can answer two public surveys."""

from __future__ import annotations

import re

from auth_helpers import make_user, sign_in
from conftest import csrf_token_from, make_app
from journey_helpers import Journey
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Response

PUBLIC = """
slug: {slug}
title: Shells {slug}
settings: {{public_link: true}}
pages:
  - name: main
    title: Main
    questions:
      - {{name: colour, type: short_text, label: Favourite colour}}
"""


def public_survey(import_survey, slug="shells"):
    survey = import_survey(slug, text=PUBLIC.format(slug=slug))
    return f"/p/{survey.public_key}"


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def _normalised(response) -> str:
    html = response.get_data(as_text=True)
    html = html.replace(_nonce(response), "NONCE")
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="TOKEN"', html)


def test_each_visitor_of_a_public_link_gets_the_same_page_with_their_own_token_and_nonce(
    app, database_url, import_survey
):
    path = public_survey(import_survey)
    db.session.commit()  # nothing of the test's own is open while the requests run
    guarded = make_app(database_url, WTF_CSRF_ENABLED=True)
    first, second = guarded.test_client(), guarded.test_client()
    pages = [first.get(path), second.get(path), first.get(path)]
    assert len({_normalised(page) for page in pages}) == 1
    assert len({_nonce(page) for page in pages}) == 3
    for page in pages:
        assert f'nonce="{_nonce(page)}"' in page.get_data(as_text=True)
    tokens = [csrf_token_from(page.get_data(as_text=True)) for page in pages[:2]]
    assert tokens[0] != tokens[1]
    assert second.post(f"{path}/start", data={"csrf_token": tokens[0]}).status_code == 400  # not theirs
    assert second.post(f"{path}/start", data={"csrf_token": tokens[1]}).status_code == 302
    assert first.get(f"{path}/page/main").status_code == 302  # not started: no shell of another's page
    blank = second.get(f"{path}/page/main")
    assert blank.status_code == 200 and 'name="colour" type="text" value=""' in blank.get_data(as_text=True)


def test_check_your_answers_and_the_completion_page_are_each_responses_own(app, import_survey):
    path = public_survey(import_survey)
    db.session.commit()
    done = []
    for colour in ("teal", "<b>amber</b>"):
        client = app.test_client()
        journey = Journey(client, path)
        journey.start()
        journey.answer("main", {"colour": colour})
        check = journey.check().get_data(as_text=True)
        assert ("teal" in check) == (colour == "teal")
        assert ("&lt;b&gt;amber&lt;/b&gt;" in check) == (colour != "teal")
        assert "<b>amber</b>" not in check
        done.append(journey.submit().get_data(as_text=True))
    references = [re.search(r"<strong>([0-9A-F]{5}-[0-9A-F]{5})</strong>", page).group(1) for page in done]
    assert references[0] != references[1]
    assert db.session.scalar(select(func.count()).where(Response.status == "completed")) == 2


def test_a_signed_in_user_on_a_public_link_never_gets_an_anonymous_shell(app, import_survey):
    path = public_survey(import_survey)
    user = make_user("analyst@example.org", "analyst")
    db.session.commit()
    anonymous = app.test_client().get(path).get_data(as_text=True)  # makes the shell
    assert "Signed in as" not in anonymous
    client = app.test_client()
    sign_in(client, user)
    db.session.commit()
    assert "Signed in as analyst@example.org" in client.get(path).get_data(as_text=True)


def test_one_browser_answers_two_public_surveys_and_resumes_each(app, import_survey):
    paths = [public_survey(import_survey, slug) for slug in ("first", "second")]
    db.session.commit()
    client = app.test_client()
    for path in paths:
        Journey(client, path).start()
        assert client.get(path).status_code == 302  # resumes its own response, the cookie holds both keys
    Journey(client, paths[1]).answer("main", {"colour": "red"})
    Journey(client, paths[0]).answer("main", {"colour": "blue"})
    assert "red" in Journey(client, paths[1]).check().get_data(as_text=True)
    assert "blue" in Journey(client, paths[0]).check().get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2
