"""The questionnaire editor's pages: create from a starting point, edit pages and questions with plain forms,
problems beside the fields, preview without storing, publish through the importer (new version when answered),
the change list, the draft's YAML."""

from __future__ import annotations

import re

import pytest
from auth_helpers import make_user, sign_in
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, AuditEvent, Response, Survey, SurveyVersion
from surveyapp.questionnaires.loader import load_definition_text
from surveyapp.services.starting_points import FFT_CHOICES


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def _survey(slug: str) -> Survey:
    db.session.expire_all()
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def _create(client, title="Carers' views", start="blank", slug=""):
    return client.post("/admin/new-survey", data={"title": title, "slug": slug, "start": start})


def test_admin_index_and_survey_page_link_to_the_editor(admin_client, import_survey):
    import_survey("short_text")
    assert "/admin/new-survey" in admin_client.get("/admin/").text
    page = admin_client.get("/admin/surveys/test-short-text").text
    assert "/admin/surveys/test-short-text/editor" in page


def test_create_from_the_friends_and_family_test_and_publish(admin_client):
    response = _create(admin_client, "Ward feedback", "fft")
    assert response.status_code == 302 and response.location.endswith("/admin/surveys/ward-feedback/editor")
    survey = _survey("ward-feedback")
    assert survey.status == "draft" and survey.versions == []
    page = admin_client.get("/admin/surveys/ward-feedback/editor").text
    assert "Overall, how was your experience of our service?" in page
    for _code, label in FFT_CHOICES:
        assert (
            label
            in survey.draft_definition["pages"][0]["questions"][0]["choices"][
                [c["label"] for c in survey.draft_definition["pages"][0]["questions"][0]["choices"]].index(label)
            ]["label"]
        )
    published = admin_client.post("/admin/surveys/ward-feedback/editor/publish")
    assert published.status_code == 302 and published.location.endswith("/admin/surveys/ward-feedback")
    survey = _survey("ward-feedback")
    assert survey.draft_definition is None and len(survey.versions) == 1
    question = survey.current_version.definition["pages"][0]["questions"][0]
    assert [c["label"] for c in question["choices"]] == [label for _code, label in FFT_CHOICES]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey_published"))
    assert audit.target == "ward-feedback" and "version 1" in audit.detail


def test_create_refuses_a_taken_short_name_and_keeps_the_title(admin_client, import_survey):
    import_survey("short_text")
    response = _create(admin_client, "My title", slug="test-short-text")
    assert response.status_code == 400
    assert "already exists" in response.text and 'value="My title"' in response.text


def test_create_makes_a_unique_short_name_from_the_title(admin_client):
    _create(admin_client, "Same title")
    _create(admin_client, "Same title")
    assert _survey("same-title") is not None and _survey("same-title-2") is not None


def test_a_blank_draft_cannot_be_published_and_says_why(admin_client):
    _create(admin_client, "Empty")
    response = admin_client.post("/admin/surveys/empty/editor/publish", follow_redirects=True)
    assert "Not published" in response.text and "the page has no questions" in response.text
    assert _survey("empty").versions == []


def _add_question(client, slug, page, qtype, label):
    return client.post(f"/admin/surveys/{slug}/editor/pages/{page}/questions", data={"qtype": qtype, "label": label})


def test_build_a_two_page_survey_with_a_condition_and_publish(admin_client):
    _create(admin_client, "Clinic")
    response = _add_question(admin_client, "clinic", "page_1", "yes_no", "Did you visit the clinic?")
    assert response.location.endswith("/admin/surveys/clinic/editor/questions/did_you_visit_the_clinic")
    admin_client.post(
        "/admin/surveys/clinic/editor/questions/did_you_visit_the_clinic",
        data={"label": "Did you visit the clinic?", "required": "y", "page": "page_1"},
    )
    admin_client.post("/admin/surveys/clinic/editor/pages", data={"title": "Your visit"})
    _add_question(admin_client, "clinic", "your_visit", "single_choice", "How was it?")
    admin_client.post(
        "/admin/surveys/clinic/editor/questions/how_was_it",
        data={"label": "How was it?", "choices": "Good\nbad = Not good", "page": "your_visit"},
    )
    admin_client.post(
        "/admin/surveys/clinic/editor/pages/your_visit",
        data={"title": "Your visit", "relevant": "${did_you_visit_the_clinic} = 'yes'"},
    )
    draft = _survey("clinic").draft_definition
    assert draft["pages"][1]["relevant"] == "${did_you_visit_the_clinic} = 'yes'"
    assert draft["pages"][1]["questions"][0]["choices"] == [
        {"value": "good", "label": "Good"},
        {"value": "bad", "label": "Not good"},
    ]
    assert draft["pages"][0]["questions"][0]["required"] is True
    admin_client.post("/admin/surveys/clinic/editor/publish")
    survey = _survey("clinic")
    assert len(survey.versions) == 1 and survey.current_version.source_text.startswith("slug: clinic")


def test_question_problems_are_shown_beside_the_field_and_the_typed_value_is_kept(admin_client):
    _create(admin_client, "Numbers")
    _add_question(admin_client, "numbers", "page_1", "integer", "How many?")
    response = admin_client.post(
        "/admin/surveys/numbers/editor/questions/how_many",
        data={"label": "How many?", "min": "ten", "relevant": "${nope} = 1 and", "page": "page_1"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    text = response.text
    assert "&#39;min&#39; must be a whole number" in text or "'min' must be a whole number" in text
    assert 'value="ten"' in text  # the draft keeps what was typed
    assert "has an error" in text  # the engine's own parse message for the condition
    assert "govuk-error-summary" in text and text.count('href="#min"') >= 1
    assert _survey("numbers").draft_definition["pages"][0]["questions"][0]["min"] == "ten"


def test_an_unknown_question_name_in_a_condition_gets_did_you_mean(admin_client):
    _create(admin_client, "Names")
    _add_question(admin_client, "names", "page_1", "yes_no", "Visited?")
    _add_question(admin_client, "names", "page_1", "short_text", "Why?")
    response = admin_client.post(
        "/admin/surveys/names/editor/questions/why",
        data={"label": "Why?", "relevant": "${visite} = 'yes'", "page": "page_1"},
        follow_redirects=True,
    )
    assert "did you mean" in response.text and "visited" in response.text


def test_a_form_error_re_renders_with_400_and_keeps_what_was_typed(admin_client):
    _create(admin_client, "Keep")
    _add_question(admin_client, "keep", "page_1", "short_text", "Name?")
    response = admin_client.post(
        "/admin/surveys/keep/editor/questions/name",
        data={"label": "", "hint": "typed hint", "page": "page_1"},
    )
    assert response.status_code == 400
    assert "Enter the question" in response.text and 'value="typed hint"' in response.text


def test_reorder_duplicate_move_to_page_and_delete(admin_client):
    _create(admin_client, "Order")
    for label in ("First", "Second"):
        _add_question(admin_client, "order", "page_1", "short_text", label)
    base = "/admin/surveys/order/editor"
    admin_client.post(f"{base}/questions/second/action", data={"action": "up"})
    names = [q["name"] for q in _survey("order").draft_definition["pages"][0]["questions"]]
    assert names == ["second", "first"]
    admin_client.post(f"{base}/questions/first/action", data={"action": "duplicate"})
    names = [q["name"] for q in _survey("order").draft_definition["pages"][0]["questions"]]
    assert names == ["second", "first", "first_copy"]
    admin_client.post(f"{base}/pages", data={"title": "Second page"})
    admin_client.post(f"{base}/questions/first_copy", data={"label": "Copy", "page": "second_page"})
    draft = _survey("order").draft_definition
    assert [q["name"] for q in draft["pages"][1]["questions"]] == ["first_copy"]
    admin_client.post(f"{base}/pages/second_page/action", data={"action": "up"})
    assert [p["name"] for p in _survey("order").draft_definition["pages"]] == ["second_page", "page_1"]
    asked = admin_client.post(f"{base}/questions/second/action", data={"action": "delete"})
    assert asked.status_code == 200 and "Delete the question “Second”?" in asked.text
    assert len(_survey("order").draft_definition["pages"][1]["questions"]) == 2  # nothing deleted yet
    admin_client.post(f"{base}/questions/second/action", data={"action": "delete_confirmed"})
    asked = admin_client.post(f"{base}/pages/second_page/action", data={"action": "delete"})
    assert "Its questions are deleted with it" in asked.text and "<li>Copy</li>" in asked.text
    admin_client.post(f"{base}/pages/second_page/action", data={"action": "delete_confirmed"})
    draft = _survey("order").draft_definition
    assert [p["name"] for p in draft["pages"]] == ["page_1"]
    assert [q["name"] for q in draft["pages"][0]["questions"]] == ["first"]


def test_moving_past_the_end_says_so_and_changes_nothing(admin_client):
    _create(admin_client, "Edge")
    _add_question(admin_client, "edge", "page_1", "short_text", "Only")
    response = admin_client.post("/admin/surveys/edge/editor/questions/only/action", data={"action": "up"})
    assert response.status_code == 302
    page = admin_client.get(response.location).text
    assert "It cannot move further that way." in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/surveys/edge/editor/questions/nope",
        "/admin/surveys/edge/editor/pages/nope",
        "/admin/surveys/edge/editor/preview/nope",
        "/admin/surveys/nope/editor",
    ],
)
def test_unknown_pages_and_questions_are_404(admin_client, url):
    _create(admin_client, "Edge")
    _add_question(admin_client, "edge", "page_1", "short_text", "Only")
    assert admin_client.get(url).status_code == 404


def test_unknown_actions_and_types_are_refused_with_a_message(admin_client):
    _create(admin_client, "Odd")
    _add_question(admin_client, "odd", "page_1", "short_text", "Q")
    response = admin_client.post("/admin/surveys/odd/editor/questions/q/action", data={"action": "explode"})
    assert response.status_code == 302
    response = _add_question(admin_client, "odd", "page_1", "spaceship", "Q2")
    assert response.status_code == 400 and "Choose a type of question" in response.text


def test_editing_a_published_survey_with_responses_publishes_version_2(admin_client, import_survey, invite):
    survey = import_survey("short_text")
    version_1 = survey.current_version
    db.session.add(
        Response(survey_id=survey.id, version_id=version_1.id, respondent_key="k1", collection_mode="public")
    )
    db.session.commit()
    page = admin_client.get("/admin/surveys/test-short-text/editor").text
    assert "No changes since version 1" in page
    question = version_1.definition["pages"][0]["questions"][0]
    name = question["name"]
    admin_client.post(
        f"/admin/surveys/test-short-text/editor/questions/{name}",
        data={"label": "A reworded question", "page": version_1.definition["pages"][0]["name"]},
    )
    changes = admin_client.get("/admin/surveys/test-short-text/editor/changes").text
    assert "reworded" in changes and "A reworded question" in changes
    admin_client.post("/admin/surveys/test-short-text/editor/publish")
    survey = _survey("test-short-text")
    assert [v.number for v in survey.versions] == [1, 2]
    response = db.session.scalar(select(Response).where(Response.respondent_key == "k1"))
    assert response.version_id == version_1.id
    changes = admin_client.get("/admin/surveys/test-short-text/editor/changes?from=1&to=2").text
    assert "A reworded question" in changes
    # side by side: the old wording under "Version 1", the new under "Version 2"
    assert ">Version 1</th>" in changes and ">Version 2</th>" in changes
    before = re.search(r'data-side="before">([^<]*)</td>\s*<td[^>]*data-side="after">([^<]*)</td>', changes)
    assert before is not None and before.groups() == (question["label"], "A reworded question")


def test_discard_goes_back_to_the_published_version(admin_client, import_survey):
    survey = import_survey("short_text")
    name = survey.current_version.definition["pages"][0]["questions"][0]["name"]
    admin_client.post(f"/admin/surveys/test-short-text/editor/questions/{name}/action", data={"action": "duplicate"})
    assert _survey("test-short-text").draft_definition is not None
    admin_client.post("/admin/surveys/test-short-text/editor/discard")
    assert _survey("test-short-text").draft_definition is None


def test_details_and_settings_are_saved_and_checked(admin_client):
    _create(admin_client, "Settings")
    response = admin_client.post(
        "/admin/surveys/settings/editor/details",
        data={
            "title": "New title",
            "description": "About",
            "public_link": "y",
            "answers_copy": "y",
            "reminder_max": "3",
            "closes_on": "soon",
        },
        follow_redirects=True,
    )
    draft = _survey("settings").draft_definition
    assert draft["title"] == "New title" and draft["description"] == "About"
    assert draft["settings"] == {"public_link": True, "answers_copy": True, "reminder_max": 3, "closes_on": "soon"}
    assert "closes_on" in response.text and "must be a date" in response.text


def test_preview_shows_the_respondent_page_runs_conditions_and_stores_nothing(admin_client):
    _create(admin_client, "Preview me")
    _add_question(admin_client, "preview-me", "page_1", "yes_no", "Visited?")
    admin_client.post(
        "/admin/surveys/preview-me/editor/questions/visited",
        data={"label": "Visited?", "required": "y", "page": "page_1"},
    )
    admin_client.post("/admin/surveys/preview-me/editor/pages", data={"title": "More"})
    _add_question(admin_client, "preview-me", "more", "integer", "How many times?")
    admin_client.post(
        "/admin/surveys/preview-me/editor/pages/more", data={"title": "More", "relevant": "${visited} = 'yes'"}
    )
    first = admin_client.get("/admin/surveys/preview-me/editor/preview")
    assert first.location.endswith("/editor/preview/page_1")
    page = admin_client.get(first.location).text
    assert "Visited?" in page and "answers are not stored" in page
    missing = admin_client.post(
        "/admin/surveys/preview-me/editor/preview/page_1", data={"_shown": "visited", "_preview": "{}"}
    )
    assert missing.status_code == 400 and "Select an answer" in missing.text
    no = admin_client.post(
        "/admin/surveys/preview-me/editor/preview/page_1", data={"_shown": "visited", "visited": "no", "_preview": "{}"}
    )
    assert "End of the preview" in no.text  # the page condition hid the second page
    yes = admin_client.post(
        "/admin/surveys/preview-me/editor/preview/page_1",
        data={"_shown": "visited", "visited": "yes", "_preview": "{}"},
    )
    assert "How many times?" in yes.text
    carry = re.search(r'name="_preview" value="([^"]+)"', yes.text).group(1).replace("&#34;", '"')
    end = admin_client.post(
        "/admin/surveys/preview-me/editor/preview/more",
        data={"_shown": "how_many_times", "how_many_times": "3", "_preview": carry},
    )
    values = re.findall(r'summary-list__value">\s*(.*?)\s*</dd>', end.text)
    assert "End of the preview" in end.text and values == ["Yes", "3"]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_preview_of_a_draft_with_problems_lists_them(admin_client):
    _create(admin_client, "Broken")
    page = admin_client.get("/admin/surveys/broken/editor/preview").text
    assert "cannot be previewed yet" in page and "the page has no questions" in page


def test_hostile_preview_carry_is_ignored(admin_client, import_survey):
    import_survey("short_text")
    for carry in ("not json", "[1, 2]", '{"x": "y"}', "{" * 5000):
        response = admin_client.post(
            "/admin/surveys/test-short-text/editor/preview/" + _first_page("test-short-text"), data={"_preview": carry}
        )
        assert response.status_code < 500


def _first_page(slug: str) -> str:
    return _survey(slug).current_version.definition["pages"][0]["name"]


def test_the_draft_downloads_as_yaml_the_importer_reads(admin_client):
    _create(admin_client, "Download", "fft")
    response = admin_client.get("/admin/surveys/download/editor/draft.yaml")
    assert response.headers["Content-Disposition"].startswith("attachment")
    questionnaire = load_definition_text(response.get_data(as_text=True))
    assert questionnaire.slug == "download" and questionnaire.question("fft").choices[0].label == "Very good"


def test_analysts_and_volunteers_cannot_use_the_editor(app, import_survey):
    import_survey("short_text")
    for role in ("analyst", "volunteer"):
        client = app.test_client()
        sign_in(client, make_user(f"{role}@example.org", role))
        assert client.get("/admin/surveys/test-short-text/editor").status_code == 403
        assert client.post("/admin/surveys/test-short-text/editor/publish").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1


def test_the_guided_builder_writes_the_condition_and_shows_it_as_rules_again(admin_client):
    _create(admin_client, "Builder")
    _add_question(admin_client, "builder", "page_1", "integer", "Age")
    _add_question(admin_client, "builder", "page_1", "multiple_choice", "Routes")
    admin_client.post(
        "/admin/surveys/builder/editor/questions/routes",
        data={"label": "Routes", "choices": "bus = Bus\ncar = Car", "page": "page_1"},
    )
    _add_question(admin_client, "builder", "page_1", "short_text", "Why")
    form = {
        "label": "Why",
        "page": "page_1",
        "build": "rules",
        "rule_join": "or",
        "rule_question_1": "age",
        "rule_comparison_1": ">=",
        "rule_value_1": "65",
        "rule_question_2": "routes",
        "rule_comparison_2": "selected",
        "rule_value_2": "bus",
    }
    response = admin_client.post("/admin/surveys/builder/editor/questions/why", data=form)
    assert response.status_code == 302
    question = _survey("builder").draft_definition["pages"][0]["questions"][2]
    assert question["relevant"] == "${age} >= 65 or selected(${routes}, 'bus')"
    page = admin_client.get("/admin/surveys/builder/editor/questions/why").text
    assert '<option value="routes" selected>' in page and '<option value="selected" selected>' in page
    assert 'value="or" checked' in page


def test_the_guided_builder_refuses_a_later_question_and_an_empty_value_and_keeps_the_rows(admin_client):
    _create(admin_client, "Builder two")
    _add_question(admin_client, "builder-two", "page_1", "short_text", "First")
    _add_question(admin_client, "builder-two", "page_1", "short_text", "Second")
    form = {
        "label": "First",
        "page": "page_1",
        "build": "rules",
        "rule_question_1": "second",
        "rule_comparison_1": "=",
        "rule_value_1": "x",
    }
    response = admin_client.post("/admin/surveys/builder-two/editor/questions/first", data=form)
    assert response.status_code == 400 and "Choose a question that comes before this one" in response.text
    form = {**form, "rule_question_1": "first", "rule_value_1": ""}
    response = admin_client.post("/admin/surveys/builder-two/editor/questions/second", data={**form, "label": "Second"})
    assert response.status_code == 400 and "Enter a value to compare the answer with" in response.text
    assert "relevant" not in _survey("builder-two").draft_definition["pages"][0]["questions"][1]


def test_a_condition_typed_by_hand_is_kept_and_the_builder_says_so(admin_client):
    _create(admin_client, "Hand")
    _add_question(admin_client, "hand", "page_1", "integer", "Count")
    _add_question(admin_client, "hand", "page_1", "short_text", "Note")
    admin_client.post(
        "/admin/surveys/hand/editor/questions/note",
        data={"label": "Note", "page": "page_1", "relevant": "${count} * 2 > 3"},
    )
    page = admin_client.get("/admin/surveys/hand/editor/questions/note").text
    assert "typed by hand" in page and "${count} * 2 &gt; 3" in page


def test_a_survey_never_published_breaks_no_page_of_the_app(app, admin_client):
    """The editor creates surveys without a version: every page and form that takes a survey copes with one."""
    _create(admin_client, "Unpublished")
    from flask import url_for

    checked = 0
    for rule in app.url_map.iter_rules():
        if "slug" not in rule.arguments:
            continue
        values = {name: "x" for name in rule.arguments}
        values.update({"slug": "unpublished", "kind": "invitation", "filename": "responses.csv", "name": "x"})
        values.update({"status": "open", "page_name": "page_1", "question_name": "x"})
        with app.test_request_context():
            try:
                url = url_for(rule.endpoint, **values)
            except Exception:  # an argument with a converter this walk does not fill (ids): not survey pages
                continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                response = admin_client.open(url, method=method, data={})
                status = response.status_code
                response.close()  # a streamed export ends now, as a WSGI server would end it, not at GC
                assert status < 500, (method, url, status)
                checked += 1
    for url in ("/admin/", "/dashboards/", "/api/surveys", "/admin/surveys/unpublished"):
        assert admin_client.get(url).status_code < 500, url
    assert checked > 10


def test_changing_a_code_that_answers_use_needs_confirming(admin_client, import_survey):
    from dashboard_data import respond

    survey = import_survey("single_choice")
    respond(survey, {"colour": "red", "size": "1"}, mode="public")
    db.session.commit()
    url = "/admin/surveys/test-single-choice/editor/questions/colour"
    renamed = {"label": "What is your favourite colour?", "page": "main", "required": "y"}
    renamed["choices"] = "crimson = Red\ngreen = Green\nblue = Blue"
    response = admin_client.post(url, data=renamed)
    assert response.status_code == 400
    assert "Answers already use the code red" in response.text and "crimson = Red" in response.text
    assert _survey("test-single-choice").draft_definition is None  # nothing saved until confirmed
    # codes no one answered can change freely
    free = {**renamed, "choices": "red = Red\ngreen = Green\nnavy = Blue"}
    assert admin_client.post(url, data=free).status_code == 302
    confirmed = {**renamed, "confirm_codes": "y"}
    assert admin_client.post(url, data=confirmed).status_code == 302
    choices = _survey("test-single-choice").draft_definition["pages"][0]["questions"][0]["choices"]
    assert [c["value"] for c in choices] == ["crimson", "green", "blue"]


def test_codes_in_use_and_dropped_codes(import_survey):
    from dashboard_data import respond

    from surveyapp.services import drafts

    survey = import_survey("single_choice")
    respond(survey, {"colour": "green", "size": "2"}, mode="public")
    db.session.commit()
    assert drafts.codes_in_use(db.session, survey, "colour") == {"green"}
    assert drafts.codes_in_use(db.session, survey, "size") == {"2"}
    assert drafts.codes_in_use(db.session, survey, "nope") == set()
    assert drafts.dropped_codes([{"value": "red", "label": "Green"}], {"green"}) == ["green"]
    assert drafts.dropped_codes([{"value": "green", "label": "Verde"}], {"green"}) == []


def test_changing_the_type_keeps_the_label_and_drops_what_the_new_type_lacks(admin_client):
    _create(admin_client, "Types")
    _add_question(admin_client, "types", "page_1", "integer", "How many?")
    url = "/admin/surveys/types/editor/questions/how_many"
    admin_client.post(url, data={"label": "How many?", "min": "1", "suffix": "visits", "page": "page_1"})
    response = admin_client.post(url, data={"label": "How many times?", "qtype": "single_choice", "page": "page_1"})
    assert response.status_code == 302
    question = _survey("types").draft_definition["pages"][0]["questions"][0]
    assert question["type"] == "single_choice" and question["label"] == "How many times?"
    assert "min" not in question and "suffix" not in question and len(question["choices"]) == 2
    page = admin_client.get(url).text
    assert 'name="choices"' in page and "option_1 = Option 1" in page
    assert admin_client.post(url, data={"label": "x", "qtype": "teleport", "page": "page_1"}).status_code == 400


def test_a_condition_is_checked_as_typed_with_the_importer_messages(admin_client):
    _create(admin_client, "Typed")
    _add_question(admin_client, "typed", "page_1", "yes_no", "Visited")
    _add_question(admin_client, "typed", "page_1", "short_text", "Why")
    admin_client.post("/admin/surveys/typed/editor/pages", data={"title": "Later"})
    _add_question(admin_client, "typed", "later", "integer", "Times")
    check = "/admin/surveys/typed/editor/check"
    page = admin_client.get("/admin/surveys/typed/editor/questions/why").text
    assert f'data-check-url="{check}?question=why&amp;key=relevant"' in page and "editor-conditions.js" in page

    def problems(**query):
        response = admin_client.get(check, query_string=query)
        return response.status_code, response.get_json()["problems"]

    assert problems(question="why", key="relevant", expression="${visited} = 'yes'") == (200, [])
    status, found = problems(question="why", key="relevant", expression="${visite} = 'yes'")
    assert status == 200 and "did you mean 'visited'?" in found[0]
    status, found = problems(question="why", key="relevant", expression="${times} > 2")
    assert "comes later in the form" in found[0]
    status, found = problems(page="later", expression="${visited} =")
    assert "'relevant' has an error" in found[0]
    status, found = problems(question="times", key="constraint", expression=". > ${visited} and")
    assert "'constraint' has an error" in found[0]
    assert problems(question="why", key="relevant", expression="")[1] == []
    assert problems(question="why", key="hint", expression="x")[0] == 400
    assert problems(question="nope", expression="x")[0] == 400
    assert problems()[0] == 400
    assert "longer than" in problems(question="why", expression="x" * 3000)[1][0]
    assert _survey("typed").draft_definition["pages"][0]["questions"][1].get("relevant") is None  # nothing saved


def test_a_condition_with_more_rules_than_the_builder_shows_is_left_as_typed(admin_client):
    _create(admin_client, "Many")
    for label in ("A", "B", "C", "D", "E"):
        _add_question(admin_client, "many", "page_1", "yes_no", label)
    condition = "${a} = 'yes' and ${b} = 'yes' and ${c} = 'yes' and ${d} = 'yes'"
    admin_client.post(
        "/admin/surveys/many/editor/questions/e", data={"label": "E", "page": "page_1", "relevant": condition}
    )
    page = admin_client.get("/admin/surveys/many/editor/questions/e").text
    assert "typed by hand" in page and '<option value="a" selected>' not in page


ODD_VALUES = ["", " ", "0", "-1", "1.5", "1e5", "9" * 40, "abc", "2026-02-30", "${x}", "'", "<b>x</b>", "é" * 300]


@pytest.mark.parametrize("qtype", ["single_choice", "rating", "short_text", "integer", "decimal", "date", "yes_no"])
def test_odd_values_in_every_field_are_kept_or_explained_never_a_500(admin_client, qtype):
    _create(admin_client, "Odd values")
    _add_question(admin_client, "odd-values", "page_1", qtype, "Question")
    url = "/admin/surveys/odd-values/editor/questions/question"
    for value in ODD_VALUES:
        names = ("min", "max", "min_length", "max_length", "width", "suffix", "pattern", "image", "image_alt")
        data = {name: value for name in names}
        data.update({"label": "Question", "page": "page_1", "choices": value, "relevant": value, "constraint": value})
        response = admin_client.post(url, data=data)
        assert response.status_code in (200, 302, 400), (value, response.status_code)
        for page in ("/admin/surveys/odd-values/editor", url, "/admin/surveys/odd-values/editor/preview"):
            assert admin_client.get(page).status_code < 500, (value, page)
        assert admin_client.get("/admin/surveys/odd-values/editor/draft.yaml").status_code == 200
        assert admin_client.post("/admin/surveys/odd-values/editor/publish").status_code == 302


def test_the_survey_list_and_page_say_a_survey_is_not_published_yet(admin_client):
    _create(admin_client, "Unfinished")
    assert "unfinished, not published yet" in admin_client.get("/admin/").text
    page = admin_client.get("/admin/surveys/unfinished").text
    assert "finish the questionnaire in the editor" in page and "Continue editing the draft" in page


def test_a_question_can_show_an_image_of_the_survey_and_a_bad_file_name_is_explained(admin_client):
    _create(admin_client, "Pictures")
    _add_question(admin_client, "pictures", "page_1", "yes_no", "Do you take tablets?")
    url = "/admin/surveys/pictures/editor/questions/do_you_take_tablets"
    page = admin_client.get(url).text
    assert 'name="image"' in page and 'name="image_alt"' in page
    data = {"label": "Do you take tablets?", "page": "page_1", "image": "tablets.png", "image_alt": ""}
    assert admin_client.post(url, data=data).status_code == 302
    question = _survey("pictures").draft_definition["pages"][0]["questions"][0]
    assert question["image"] == "tablets.png" and "image_alt" not in question
    admin_client.post(url, data={**data, "image": "../secret file.png"})  # a draft keeps what was typed
    page = admin_client.get(url).text
    assert "&#39;image&#39; must be the file name of an image uploaded with the survey" in page
    assert 'href="#image"' in page and 'value="../secret file.png"' in page
    assert admin_client.post("/admin/surveys/pictures/editor/publish").status_code == 302
    assert _survey("pictures").current_version is None  # a draft that does not validate is not published
    admin_client.post(url, data=data)
    # an edit that leaves the image's boxes out of the form keeps the image (nothing is lost)
    admin_client.post(url, data={"label": "Do you take any tablets?", "page": "page_1"})
    assert _survey("pictures").draft_definition["pages"][0]["questions"][0]["image"] == "tablets.png"


def test_an_answer_given_in_advance_and_read_only_are_edited_and_checked_beside_the_field(admin_client):
    _create(admin_client, "Advance")
    _add_question(admin_client, "advance", "page_1", "integer", "How many?")
    page = admin_client.get("/admin/surveys/advance/editor/questions/how_many").text
    assert 'name="default"' in page and 'name="read_only"' in page
    response = admin_client.post(
        "/admin/surveys/advance/editor/questions/how_many",
        data={"label": "How many?", "min": "0", "max": "5", "default": "9", "page": "page_1"},
        follow_redirects=True,
    )
    assert "is not an answer this integer question accepts" in response.text and 'href="#default"' in response.text
    admin_client.post(
        "/admin/surveys/advance/editor/questions/how_many",
        data={"label": "How many?", "min": "0", "max": "5", "default": "3", "read_only": "y", "page": "page_1"},
    )
    question = _survey("advance").draft_definition["pages"][0]["questions"][0]
    assert question["default"] == "3" and question["read_only"] is True
    _add_question(admin_client, "advance", "page_1", "hidden", "Campaign")
    hidden = admin_client.get("/admin/surveys/advance/editor/questions/campaign").text
    assert 'name="default"' in hidden and 'name="read_only"' not in hidden and 'name="required"' not in hidden
