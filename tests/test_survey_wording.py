"""Respondent-side wording in the definition (start_text, thank_you_text, run_by, contact, privacy_url): loaded and
checked by the engine, edited in the editor, shown escaped on the start and thank-you pages, at no SQL cost."""

from __future__ import annotations

import pytest
from auth_helpers import make_user, sign_in
from conftest import QUESTIONNAIRES
from sqlalchemy import select
from test_journey_statements import FOUR_QUESTIONS, counted_statements, journey_budget, whole_journey

from surveyapp.extensions import db
from surveyapp.journey.survey_text import paragraphs
from surveyapp.models import Survey
from surveyapp.questionnaires.definition import Questionnaire
from surveyapp.questionnaires.loader import DefinitionError, load_definition_file, load_definition_text
from surveyapp.services.editing import definition_yaml
from surveyapp.services.starting_points import STARTING_POINTS

WORDING = QUESTIONNAIRES / "wording.yaml"


def _with_settings(settings: str) -> str:
    return (
        "slug: w\ntitle: W\nsettings:\n"
        + "".join(f"  {line}\n" for line in settings.splitlines())
        + "pages:\n  - name: p\n    title: P\n    questions:\n      - {name: q, type: yes_no, label: Q}\n"
    )


def _start_page(client, survey) -> str:
    response = client.get(f"/p/{survey.public_key}")
    assert response.status_code == 200
    return response.text


# --- the engine ---------------------------------------------------------------------------------------------


def test_the_wording_round_trips_through_yaml_and_the_stored_dict():
    questionnaire = load_definition_file(WORDING)
    assert questionnaire.setting("run_by") == "Northtown <script>alert('run_by')</script> Action Group"
    assert questionnaire.setting("start_text").count("\n\n") == 1
    again = load_definition_text(definition_yaml(questionnaire.to_dict()))
    assert again.to_dict() == questionnaire.to_dict()
    assert Questionnaire.from_dict(questionnaire.to_dict()).settings == questionnaire.settings
    assert load_definition_text(_with_settings("start_text: Hi")).setting("privacy_url") is None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)//https://example.org",
        "data:text/html,<script>alert(1)</script>",
        "example.org/privacy",
        "//example.org/privacy",
        "https://",
        "https://example.org/a b",
        "ftp://example.org/privacy",
    ],
)
def test_a_privacy_url_that_is_not_a_web_address_is_refused(url):
    with pytest.raises(DefinitionError) as refused:
        load_definition_text(_with_settings(f"privacy_url: {url!r}"))
    assert "'privacy_url' must be a web address starting with https:// or http://" in str(refused.value)
    assert "line 4" in str(refused.value)


def test_web_addresses_are_accepted_and_wording_has_lengths():
    for url in ("https://example.org/privacy", "http://example.org", "HTTPS://Example.org/p?x=1#top"):
        assert load_definition_text(_with_settings(f"privacy_url: {url!r}")).setting("privacy_url") == url
    with pytest.raises(DefinitionError) as refused:
        load_definition_text(_with_settings("run_by: " + "x" * 5000 + "\ncontact: ''"))
    message = str(refused.value)
    assert "'run_by' must be 200 characters or fewer" in message and "'contact' is empty" in message
    assert "x" * 300 not in message  # the message names the limit, not the text


def test_paragraphs_are_split_on_blank_lines():
    assert paragraphs("One\nline two\n\n  \n\r\nTwo\r\n\r\nThree  ") == ["One\nline two", "Two", "Three"]
    assert paragraphs(None) == [] and paragraphs("  \n\n ") == []


def test_demo_surveys_carry_wording_and_starting_points_leave_out_the_demo_people():
    gp = load_definition_file(QUESTIONNAIRES.parent.parent / "surveyapp" / "demo" / "gp_iapt.yaml")
    assert gp.setting("run_by") and gp.setting("privacy_url").startswith("https://example.org/")
    started = STARTING_POINTS["gp"][1]("mine", "Mine")["settings"]
    assert "start_text" in started and not {"run_by", "contact", "privacy_url"} & set(started)
    assert "thank_you_text" in STARTING_POINTS["fft"][1]("fft", "FFT")["settings"]


# --- the respondent's pages ---------------------------------------------------------------------------------


def test_the_start_page_names_who_runs_it_and_how_to_contact_them_escaped(app, client, import_survey):
    survey = import_survey("wording")
    page = _start_page(client, survey)
    assert "alert('run_by')</script>" not in page and "alert('start')</script>" not in page
    assert "This survey is run by Northtown &lt;script&gt;alert(&#39;run_by&#39;)&lt;/script&gt; Action Group." in page
    assert "Contact: survey@example.org &lt;i&gt;or&lt;/i&gt; 01632 960 123" in page
    assert '<p class="govuk-body">First paragraph &lt;script&gt;' in page
    assert '<p class="govuk-body">Second paragraph &amp; more</p>' in page
    assert 'href="https://example.org/privacy?a=1&amp;b=&#34;2&#34;"' in page and "read the privacy notice" in page


def test_without_run_by_the_start_page_names_the_organisation_then_the_instance(app, client, import_survey):
    organised = import_survey("w", text=_with_settings("public_link: true\norganisation: Healthwatch Northtown"))
    page = _start_page(client, organised)
    assert "This survey is run by Healthwatch Northtown." in page
    assert 'id="contact"' not in page and "privacy notice" not in page
    app.config["SURVEYAPP_ORGANISATION"] = "Northtown Council"
    plain = import_survey("w", text=_with_settings("public_link: true"))
    assert "This survey is run by Northtown Council." in _start_page(client, plain)


def test_the_thank_you_page_shows_its_text_and_who_has_the_answers(app, client, import_survey):
    survey = import_survey("wording")
    path = f"/p/{survey.public_key}"
    client.get(path)
    client.post(f"{path}/start")
    client.post(f"{path}/page/main", data={"_shown": "visited", "visited": "yes"})
    done = client.post(f"{path}/submit")
    page = client.get(done.location).text
    assert '<p class="govuk-body">We read every answer &lt;b&gt;carefully&lt;/b&gt;.</p>' in page
    assert '<p class="govuk-body">You will hear back in June.</p>' in page
    assert "Your answers have gone to Northtown &lt;script&gt;" in page


def test_the_thank_you_page_without_its_text_is_as_before(app, client, import_survey):
    survey = import_survey("w", text=_with_settings("public_link: true"))
    path = f"/p/{survey.public_key}"
    client.post(f"{path}/start")
    client.post(f"{path}/page/p", data={"_shown": "q", "q": "no"})
    page = client.get(client.post(f"{path}/submit").location).text
    assert "Your answers have been sent" in page and 'id="thank-you-text"' not in page


def test_the_wording_costs_no_sql_statement(app, import_survey):
    worded = FOUR_QUESTIONS.replace(
        "  public_link: true\n",
        "  public_link: true\n  run_by: Northtown Action Group\n  contact: a@example.org\n"
        "  privacy_url: https://example.org/p\n  start_text: Hello\n  thank_you_text: Thanks\n",
    )
    survey = import_survey("lean", text=worded)
    path = f"/p/{survey.public_key}"
    db.session.close()
    whole_journey(app.test_client(), path)  # fills the questionnaire cache
    with counted_statements() as statements:
        whole_journey(app.test_client(), path)
    assert len(statements) <= journey_budget(), "\n\n".join(statements)


# --- the editor -------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def _draft(slug: str) -> dict:
    db.session.expire_all()
    return db.session.scalar(select(Survey).where(Survey.slug == slug)).draft_definition


def test_the_editor_saves_the_wording_into_the_draft(admin_client):
    admin_client.post("/admin/new-survey", data={"title": "Worded", "start": "blank"})
    response = admin_client.post(
        "/admin/surveys/worded/editor/details",
        data={
            "title": "Worded",
            "start_text": "First\r\n\r\nSecond\r\n",
            "thank_you_text": "Thanks",
            "run_by": " Northtown Mental Health Action Group ",
            "contact": "01632 960 123",
            "privacy_url": "https://example.org/privacy",
        },
    )
    assert response.status_code == 302
    assert _draft("worded")["settings"] == {
        "start_text": "First\n\nSecond",
        "thank_you_text": "Thanks",
        "run_by": "Northtown Mental Health Action Group",
        "contact": "01632 960 123",
        "privacy_url": "https://example.org/privacy",
    }
    page = admin_client.get("/admin/surveys/worded/editor/details").text
    assert "Northtown Mental Health Action Group" in page and "First\n\nSecond</textarea>" in page
    download = admin_client.get("/admin/surveys/worded/editor/draft.yaml")
    assert download.status_code == 200 and "run_by: Northtown Mental Health Action Group" in download.text


def test_the_editor_refuses_a_javascript_privacy_url_and_keeps_what_was_typed(admin_client):
    admin_client.post("/admin/new-survey", data={"title": "Worded", "start": "blank"})
    response = admin_client.post(
        "/admin/surveys/worded/editor/details",
        data={"title": "Worded", "run_by": "Kept <b>as typed</b>", "privacy_url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    page = response.text
    assert "There is a problem" in page
    assert page.count("Enter the privacy notice’s web address starting with https:// or http://") >= 2
    assert 'value="javascript:alert(1)"' in page and 'value="Kept &lt;b&gt;as typed&lt;/b&gt;"' in page
    assert "settings" not in (_draft("worded") or {})
