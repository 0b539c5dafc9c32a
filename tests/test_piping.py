"""Piped text (${name} of an earlier answer, ${contact.attribute}) and conditions on contact attributes."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from journey_helpers import Journey

from surveyapp.extensions import db
from surveyapp.models import ContactAttribute
from surveyapp.questionnaires import expressions, loader, piping, runtime

QUESTIONNAIRES = Path(__file__).parent / "questionnaires"
HOSTILE = '<script>alert("x")</script> & <b>bold</b> ${pharmacy} {{ 7*7 }}'


@pytest.fixture
def questionnaire():
    return loader.load_definition_file(QUESTIONNAIRES / "piping.yaml")


# --- the engine ---------------------------------------------------------------------------


def test_pipe_shows_the_choice_label_and_the_typed_text(questionnaire):
    answers = {"pharmacy": "market", "nickname": "the corner shop"}
    page = piping.piped_page(questionnaire.page("visits"), questionnaire, answers)
    assert page.title == "Your visits to Market Square"
    assert page.questions[0].label == "How many times did you visit Market Square (you call it “the corner shop”)?"
    # the questionnaire itself is untouched (it is cached per process)
    assert questionnaire.page("visits").title == "Your visits to ${pharmacy}"
    assert "${pharmacy}" in questionnaire.question("visits").label


def test_unanswered_and_missing_attributes_are_empty(questionnaire):
    question = piping.piped_question(questionnaire.question("visits"), questionnaire, {})
    assert question.label == "How many times did you visit  (you call it “”)?"
    assert question.hint == "Count the visits in  only."
    with_area = piping.with_contact({}, {"area": "north", "bad name": "x", "none": None})
    assert with_area == {"contact.area": "north"}
    assert piping.pipe("in ${contact.area}", questionnaire, with_area) == "in north"


def test_a_page_without_placeholders_is_the_same_object(questionnaire):
    page = questionnaire.page("first")
    assert piping.piped_page(page, questionnaire, {"pharmacy": "market"}) is page


def test_hostile_answers_stay_text_and_are_not_piped_again(questionnaire):
    answers = {"pharmacy": "market", "nickname": HOSTILE}
    label = piping.piped_question(questionnaire.question("visits"), questionnaire, answers).label
    # the answer goes in as it was typed: a placeholder inside an answer is not expanded again
    assert HOSTILE in label
    long = piping.pipe("${nickname}", questionnaire, {"nickname": "x" * 5000})
    assert len(long) == piping.MAX_PIPED_LENGTH


def test_conditions_use_contact_attributes(questionnaire):
    north = questionnaire.page("north")
    assert runtime.is_page_visible(north, piping.with_contact({}, {"area": "north"}))
    assert not runtime.is_page_visible(north, piping.with_contact({}, {"area": "south"}))
    assert not runtime.is_page_visible(north, {})  # a public link: no contact, every attribute empty
    assert expressions.parse("${contact.area} = 'x'").references == frozenset({"contact.area"})
    with pytest.raises(expressions.ExpressionError):
        expressions.parse("${contact.bad name} = 'x'")
    assert piping.contact_attributes_used(questionnaire) == frozenset({"area", "first_name"})


def _problems(yaml_text: str) -> list[str]:
    with pytest.raises(loader.DefinitionError) as caught:
        loader.load_definition_text(yaml_text)
    return [p.message for p in caught.value.problems]


BASE = """
slug: t
title: T
pages:
  - name: one
    title: One
    questions:
      - {name: fruit, type: short_text, label: "Fruit?"}
      - {name: info, type: note, label: "Note"}
      - {name: same, type: short_text, label: "LABEL_ONE"}
  - name: two
    title: "TITLE_TWO"
    questions:
      - {name: later, type: short_text, label: "LABEL_TWO", hint: "HINT_TWO"}
"""


def _with(**texts) -> str:
    text = BASE
    for key, value in {"LABEL_ONE": "ok", "TITLE_TWO": "ok", "LABEL_TWO": "ok", "HINT_TWO": "ok", **texts}.items():
        text = text.replace(key, value)
    return text


def test_valid_placeholders_load():
    loaded = loader.load_definition_text(_with(TITLE_TWO="About ${fruit}", HINT_TWO="${contact.area} ${ fruit }"))
    assert loaded.page("two").title == "About ${fruit}"


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"LABEL_TWO": "${fruut}"}, "'label' shows unknown question 'fruut' (did you mean 'fruit'?)"),
        ({"HINT_TWO": "${info}"}, "'hint' shows 'info', which is a note and has no answer"),
        ({"LABEL_ONE": "${fruit}"}, "'label' shows the answer to question 'fruit', which is on the same page"),
        ({"LABEL_ONE": "${later}"}, "'label' shows the answer to question 'later', which comes later in the form"),
        ({"TITLE_TWO": "${later}"}, "'title' shows the answer to question 'later', which is on the same page"),
        ({"LABEL_TWO": "${two words}"}, "'label' shows '${two words}', which is not a question name"),
    ],
)
def test_placeholder_problems(texts, message):
    problems = _problems(_with(**texts))
    assert any(p.startswith(message) for p in problems), problems


def test_translated_texts_are_checked_too():
    text = _with() + "translations:\n  cy:\n    questions:\n      later: {label: 'Dewisoch ${fruitt}'}\n"
    assert any("did you mean 'fruit'" in p for p in _problems(text))


# --- the respondent's journey -----------------------------------------------------------------


def _give(invitation, **attributes):
    for name, value in attributes.items():
        db.session.add(ContactAttribute(contact_id=invitation.contact_id, name=name, value=value))
    db.session.commit()


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", html))


def test_respondent_sees_answers_and_attributes_escaped(client, import_survey, invite):
    survey = import_survey("piping")
    invitation, _, path = invite(survey)
    _give(invitation, area="north", first_name='<img src=x onerror="alert(1)">')
    journey = Journey(client, path)
    assert journey.start().endswith("/page/first")
    moved = journey.answer("first", {"pharmacy": "high_street", "nickname": HOSTILE})
    assert moved.location.endswith("/page/visits")
    html = journey.page("visits").get_data(as_text=True)
    # the choice's label and the typed answer, escaped: no markup from either ever reaches the page
    assert "<script>" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Your visits to High Street &lt;b&gt;Pharmacy&lt;/b&gt;</h1>" in html
    assert "<title>Your visits to High Street &lt;b&gt;Pharmacy&lt;/b&gt;" in html
    assert "Count the visits in north only." in html
    assert "${" not in html.replace("${pharmacy} {{", "")  # only the placeholder typed in the answer
    assert journey.answer("visits", {"visits": "3"}).location.endswith("/page/north")  # area north: shown
    north = journey.page("north").get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;?" in north and "<img" not in north
    assert journey.answer("north", {"north_bus": "yes"}).location.endswith("/check")
    check = journey.check().get_data(as_text=True)
    assert "<script>" not in check and "<b>" not in check
    assert "How many times did you visit High Street <b>Pharmacy</b> (you call it" in _text(check)
    assert "Your visits to High Street &lt;b&gt;Pharmacy&lt;/b&gt;</h2>" in check


def test_attribute_condition_hides_a_page_for_other_contacts(client, import_survey, invite):
    survey = import_survey("piping")
    invitation, _, path = invite(survey)
    _give(invitation, area="south")
    journey = Journey(client, path)
    journey.start()
    journey.answer("first", {"pharmacy": "market"})
    page = journey.page("visits").get_data(as_text=True)
    assert "Count the visits in south only." in page
    assert journey.answer("visits", {"visits": "1"}).location.endswith("/check")
    assert journey.page("north").location.endswith("/check")


def test_public_link_has_no_attributes(client, import_survey):
    survey = import_survey("piping")
    journey = Journey(client, f"/p/{survey.public_key}")
    assert journey.start().endswith("/page/first")
    journey.answer("first", {"pharmacy": "market"})
    html = journey.page("visits").get_data(as_text=True)
    assert "Count the visits in  only." in html
    assert journey.answer("visits", {"visits": "1"}).location.endswith("/check")


# --- XLSForm in, FHIR out ------------------------------------------------------------------------


def test_xlsform_labels_and_hints_keep_their_placeholders_with_native_names():
    from xlsform_helpers import workbook

    from surveyapp.questionnaires.xlsform import read_xlsform

    data = workbook(
        [
            ["type", "name", "label", "label::Welsh (cy)", "hint"],
            ["select_one places", "the-place", "Where?", "Ble?", None],
            ["text", "why", "Why ${the-place}?", "Pam ${the-place}?", "About ${the-place}"],
        ],
        [["list_name", "name", "label"], ["places", "home", "Home"]],
    )
    converted = read_xlsform(data, "places.xlsx")
    why = converted.definition["pages"][1]["questions"][0]
    assert why["label"] == "Why ${the_place}?" and why["hint"] == "About ${the_place}"
    assert converted.definition["translations"]["cy"]["questions"]["why"]["label"] == "Pam ${the_place}?"
    loaded = loader.load_definition_data(converted.definition)
    assert piping.pipe(loaded.question("why").label, loaded, {"the_place": "home"}) == "Why Home?"


def test_fhir_export_keeps_the_placeholder_as_plain_text(questionnaire):
    from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

    from surveyapp.questionnaires import fhir

    resource = fhir.questionnaire_resource(questionnaire, "https://surveys.example.org", version=1)
    FhirQuestionnaire.model_validate(resource)
    text = str(resource)
    assert "How many times did you visit ${pharmacy}" in text
    assert "${contact.area} = 'north'" in text  # an attribute condition stays an XLSForm expression


# --- the editor's preview, and "preview as" ------------------------------------------------------------


@pytest.fixture
def admin_client(app):
    from auth_helpers import make_user, sign_in

    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def _carry(html: str, field: str) -> str:
    return unescape(re.search(rf'name="{field}" value="([^"]*)"', html).group(1))


def test_preview_as_typed_values_pipes_and_runs_attribute_conditions(admin_client, import_survey):
    import_survey("piping", status="draft")
    form = admin_client.get("/admin/surveys/piping/editor/preview-as")
    assert form.status_code == 200
    assert 'name="as-area"' in form.text and 'name="as-first_name"' in form.text
    assert "No one has been invited to this survey yet" in form.text
    first = admin_client.post(
        "/admin/surveys/piping/editor/preview-as", data={"as-area": "north", "as-first_name": "<i>Ann</i>"}
    )
    assert first.status_code == 200 and "Which pharmacy do you use?" in first.text
    assert "Previewing as a contact with area: north; first_name: &lt;i&gt;Ann&lt;/i&gt;." in first.text
    attributes = _carry(first.text, "_preview_as")
    second = admin_client.post(
        "/admin/surveys/piping/editor/preview/first",
        data={
            "_shown": ["pharmacy", "nickname"],
            "pharmacy": "market",
            "nickname": HOSTILE,
            "_preview": "{}",
            "_preview_as": attributes,
        },
    )
    assert "Your visits to Market Square</h1>" in second.text and "Count the visits in north only." in second.text
    assert "<script>" not in second.text and "&lt;script&gt;" in second.text
    third = admin_client.post(
        "/admin/surveys/piping/editor/preview/visits",
        data={
            "_shown": "visits",
            "visits": "2",
            "_preview": _carry(second.text, "_preview"),
            "_preview_as": _carry(second.text, "_preview_as"),
        },
    )
    # area north: the page its condition keeps for northern contacts, with the typed name escaped
    assert "Do you take the bus to Market Square, &lt;i&gt;Ann&lt;/i&gt;?" in third.text
    end = admin_client.post(
        "/admin/surveys/piping/editor/preview/north",
        data={
            "_shown": "north_bus",
            "north_bus": "no",
            "_preview": _carry(third.text, "_preview"),
            "_preview_as": _carry(third.text, "_preview_as"),
        },
    )
    assert "End of the preview" in end.text
    assert "How many times did you visit Market Square (you call it" in unescape(end.text)


def test_preview_without_preview_as_has_no_attributes(admin_client, import_survey):
    import_survey("piping", status="draft")
    moved = admin_client.post(
        "/admin/surveys/piping/editor/preview/first",
        data={"_shown": ["pharmacy", "nickname"], "pharmacy": "market", "_preview": "{}"},
    )
    carry = _carry(moved.text, "_preview")
    end = admin_client.post(
        "/admin/surveys/piping/editor/preview/visits", data={"_shown": "visits", "visits": "2", "_preview": carry}
    )
    assert "End of the preview" in end.text  # no area: the northern page stays hidden
    assert 'name="_preview_as"' not in moved.text and "Try it as a contact" in moved.text


def test_preview_as_one_of_the_survey_s_contacts(admin_client, import_survey, invite):
    survey = import_survey("piping", status="draft")
    invitation, _, _ = invite(survey)
    _give(invitation, area="north", first_name="Bea")
    other = import_survey("short_text", status="draft")
    stranger, _, _ = invite(other)
    form = admin_client.get("/admin/surveys/piping/editor/preview-as")
    assert f'<option value="{invitation.contact_id}"' in form.text
    assert f'<option value="{stranger.contact_id}"' not in form.text
    shown = admin_client.post(
        "/admin/surveys/piping/editor/preview-as", data={"contact": str(invitation.contact_id), "as-first_name": "Cy"}
    )
    assert "area: north; first_name: Cy." in shown.text  # the contact's area, the typed name wins
    refused = admin_client.post("/admin/surveys/piping/editor/preview-as", data={"contact": str(stranger.contact_id)})
    assert refused.status_code == 400 and "Choose one of the survey&#39;s contacts" in refused.text
    for bad in ("abc", "9" * 40):
        assert admin_client.post("/admin/surveys/piping/editor/preview-as", data={"contact": bad}).status_code == 400
    too_long = admin_client.post("/admin/surveys/piping/editor/preview-as", data={"as-area": "x" * 501})
    assert too_long.status_code == 400 and "must be 500 characters or fewer" in too_long.text


def test_preview_as_offers_no_contacts_to_analysts(app, import_survey, invite):
    from auth_helpers import make_user, sign_in

    from surveyapp.models import SurveyEditor

    survey = import_survey("piping", status="draft")
    invitation, _, _ = invite(survey)
    analyst = make_user("analyst@example.org", "analyst")
    db.session.add(SurveyEditor(user_id=analyst.id, survey_id=survey.id))
    db.session.commit()
    client = app.test_client()
    sign_in(client, analyst)
    form = client.get("/admin/surveys/piping/editor/preview-as")
    assert form.status_code == 200 and 'name="contact"' not in form.text
    picked = client.post("/admin/surveys/piping/editor/preview-as", data={"contact": str(invitation.contact_id)})
    assert picked.status_code == 400


def test_preview_as_needs_the_csrf_token(app, database_url, import_survey):
    from auth_helpers import make_user, sign_in
    from conftest import csrf_token_from, make_app

    import_survey("piping", status="draft")
    admin = make_user("admin2@example.org", "admin")
    csrf_app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    sign_in(client, admin)
    db.session.remove()  # the requests below run in csrf_app's own sessions
    assert client.post("/admin/surveys/piping/editor/preview-as", data={"as-area": "n"}).status_code == 400
    token = csrf_token_from(client.get("/admin/surveys/piping/editor/preview-as").text)
    shown = client.post("/admin/surveys/piping/editor/preview-as", data={"as-area": "n", "csrf_token": token})
    assert shown.status_code == 200 and "area: n." in shown.text


def test_an_xlsform_export_with_contact_attributes_is_refused_by_pyxform_on_the_way_back(questionnaire):
    from surveyapp.questionnaires.xlsform import XLSFormError, read_xlsform
    from surveyapp.services.xlsform import xlsform_bytes

    with pytest.raises(XLSFormError, match="contact.area"):
        read_xlsform(xlsform_bytes(questionnaire), "piping.xlsx")
