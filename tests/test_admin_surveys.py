"""Admin survey pages: import (upload or paste, every problem shown and escaped), the survey's page, downloads."""

from __future__ import annotations

import html
import io

import pytest
from auth_helpers import make_user, sign_in
from conftest import QUESTIONNAIRES, csrf_token_from, make_app
from markupsafe import escape
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Response, Survey
from surveyapp.questionnaires.loader import DefinitionError, load_definition_text

SIMPLE = """slug: import-me
title: Import me
settings: {public_link: true}
pages:
  - name: first
    title: First
    questions:
      - {name: q, type: short_text, label: Q}
"""

HOSTILE = """slug: hostile
title: "<script>alert(1)</script>"
pages:
  - name: p1
    title: P
    questions:
      - name: "<script>alert(2)</script>"
        type: "<b>bold</b>"
        label: "<img src=x onerror=alert(3)>"
      - name: ok
        type: short_text
        label: x
        relevant: "${nope} = '</textarea><script>alert(4)</script>'"
"""


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def _paste(client, text):
    return client.post("/admin/surveys/import", data={"definition_text": text}, follow_redirects=True)


def test_pasted_definition_creates_a_draft_survey_flashes_and_audits(admin_client):
    page = _paste(admin_client, SIMPLE)
    assert page.status_code == 200
    assert "import-me version 1 (new survey)" in page.text
    survey = db.session.scalar(select(Survey).where(Survey.slug == "import-me"))
    assert survey.status == "draft" and survey.current_version.source_text == SIMPLE
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey_imported"))
    assert event.target == "import-me" and event.actor == "admin@example.org" and event.survey_id == survey.id
    assert "version 1" in event.detail


def test_uploaded_file_is_imported_and_wins_over_pasted_text(admin_client):
    text = (QUESTIONNAIRES / "conditions_within_page.yaml").read_text()
    page = admin_client.post(
        "/admin/surveys/import",
        data={"definition_file": (io.BytesIO(text.encode()), "conditions.yaml"), "definition_text": SIMPLE},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "test-conditions-within-page version 1 (new survey)" in page.text
    assert db.session.scalar(select(Survey).where(Survey.slug == "import-me")) is None


def test_reimport_replaces_until_answered_then_adds_a_version(admin_client):
    _paste(admin_client, SIMPLE)
    assert (
        "import-me version 1 (replaced" in _paste(admin_client, SIMPLE.replace("title: Import me", "title: Two")).text
    )
    survey = db.session.scalar(select(Survey).where(Survey.slug == "import-me"))
    db.session.add(
        Response(
            survey_id=survey.id,
            version_id=survey.current_version_id,
            respondent_key="pub:x",
            collection_mode="public",
            status="in_progress",
        )
    )
    db.session.commit()
    assert "import-me version 2 (new version)" in _paste(admin_client, SIMPLE).text


def test_every_problem_is_listed_escaped_and_the_pasted_text_is_kept(admin_client):
    with pytest.raises(DefinitionError) as caught:
        load_definition_text(HOSTILE, "x")
    page = _paste(admin_client, HOSTILE)
    assert page.status_code == 200
    assert "There is a problem" in page.text and "nothing was imported" in page.text
    for problem in caught.value.problems:
        assert str(escape(str(problem))) in page.text
        assert f"line {problem.line}" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>bold" not in page.text
    assert "</textarea><script>" not in page.text
    # What was pasted comes back in the box, escaped, so nothing is lost.
    box = page.text.split("<textarea")[1].split(">", 1)[1].split("</textarea>")[0]
    assert html.unescape(box).strip() == HOSTILE.strip() and "<" not in box
    assert db.session.scalar(select(Survey).where(Survey.slug == "hostile")) is None
    assert db.session.scalar(select(AuditEvent)) is None


def test_broken_file_upload_lists_all_its_problems_and_puts_its_text_in_the_box(admin_client):
    text = (QUESTIONNAIRES / "broken.yaml").read_text()
    with pytest.raises(DefinitionError) as caught:
        load_definition_text(text, "broken.yaml")
    page = admin_client.post(
        "/admin/surveys/import",
        data={"definition_file": (io.BytesIO(text.encode()), "b.yaml")},
        content_type="multipart/form-data",
    )
    summary = page.text.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert summary.count("<li>") == len(caught.value.problems) > 10
    assert "deliberately broken questionnaire" in page.text.split("<textarea")[1]


def test_empty_submission_and_non_utf8_file_get_plain_messages(admin_client):
    assert "Upload a definition file or paste the definition" in _paste(admin_client, "  \n").text
    page = admin_client.post(
        "/admin/surveys/import",
        data={"definition_file": (io.BytesIO(b"title: \xff\xfe"), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert "The file must be UTF-8 text" in page.text


def test_import_needs_the_csrf_token(database_url, _schema):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        sign_in(client, make_user("admin2@example.org", "admin"))
        refused = client.post("/admin/surveys/import", data={"definition_text": SIMPLE})
        assert refused.status_code == 400 and db.session.scalar(select(Survey)) is None
        token = csrf_token_from(client.get("/admin/surveys/import").text)
        done = client.post("/admin/surveys/import", data={"definition_text": SIMPLE, "csrf_token": token})
        assert done.status_code == 302
        assert db.session.scalar(select(Survey).where(Survey.slug == "import-me")) is not None


def test_survey_page_counts_responses_per_version_and_shows_settings(admin_client):
    _paste(admin_client, SIMPLE)
    survey = db.session.scalar(select(Survey).where(Survey.slug == "import-me"))
    first = survey.current_version_id
    for i, status in enumerate(["completed", "completed", "in_progress"]):
        db.session.add(
            Response(
                survey_id=survey.id,
                version_id=first,
                respondent_key=f"pub:{i}",
                collection_mode="public",
                status=status,
            )
        )
    db.session.commit()
    _paste(admin_client, SIMPLE.replace("Import me", "Import me again"))
    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "import-me"))
    db.session.add(
        Response(
            survey_id=survey.id,
            version_id=survey.current_version_id,
            respondent_key="pub:v2",
            collection_mode="public",
            status="completed",
        )
    )
    db.session.commit()
    page = admin_client.get("/admin/surveys/import-me").text
    rows = page.split("<tbody")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 2
    cells = [[c.split(">", 1)[1].split("<")[0].strip() for c in row.split("<td")[1:]] for row in rows]
    assert cells[0][0].startswith("2") and cells[0][2:4] == ["1", "1"]
    assert cells[1][0] == "1" and cells[1][2:4] == ["3", "2"]
    assert f"/p/{survey.public_key}" in page
    assert "Open the survey" in page and "Close the survey" in page


def test_status_buttons_on_the_survey_page_come_back_to_it(admin_client):
    _paste(admin_client, SIMPLE)
    done = admin_client.post("/admin/surveys/import-me/status/open", data={"back": "survey"})
    assert done.status_code == 302 and done.location.endswith("/admin/surveys/import-me")
    page = admin_client.get(done.location).text
    assert "Close the survey" in page and "Open the survey" not in page
    assert admin_client.post("/admin/surveys/import-me/status/closed").location.endswith("/admin/")


def test_definition_download_is_the_source_text_as_a_plain_text_attachment(admin_client):
    _paste(admin_client, SIMPLE)
    survey = db.session.scalar(select(Survey).where(Survey.slug == "import-me"))
    db.session.add(
        Response(
            survey_id=survey.id,
            version_id=survey.current_version_id,
            respondent_key="pub:1",
            collection_mode="public",
            status="completed",
        )
    )
    db.session.commit()
    second = SIMPLE.replace("Import me", "<script>alert(1)</script>")
    _paste(admin_client, second)
    one = admin_client.get("/admin/surveys/import-me/definition?version=1")
    assert one.status_code == 200 and one.text == SIMPLE
    assert one.mimetype == "text/plain"
    assert (
        one.headers["Content-Disposition"].startswith("attachment")
        and "import-me-v1.yaml" in one.headers["Content-Disposition"]
    )
    assert one.headers["X-Content-Type-Options"] == "nosniff"
    assert admin_client.get("/admin/surveys/import-me/definition").text == second
    assert admin_client.get("/admin/surveys/import-me/definition?version=9").status_code == 404
    assert admin_client.get("/admin/surveys/nope/definition").status_code == 404
    assert admin_client.get("/admin/surveys/nope").status_code == 404


def test_analysts_see_the_list_without_import_or_survey_links(app):
    client = app.test_client()
    sign_in(client, make_user("cochair@example.org", "analyst"))
    page = client.get("/admin/").text
    assert "/admin/surveys/import" not in page
    assert client.get("/admin/surveys/import").status_code == 403


def test_admin_list_links_to_import_and_each_survey(admin_client):
    _paste(admin_client, SIMPLE)
    page = admin_client.get("/admin/").text
    assert 'href="/admin/surveys/import"' in page and 'href="/admin/surveys/import-me"' in page
