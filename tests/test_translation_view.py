"""The editor's translations view: each text beside its translation, what is missing marked, per language."""

from __future__ import annotations

import re

import pytest
from auth_helpers import make_user, sign_in
from conftest import QUESTIONNAIRES

from surveyapp.questionnaires.loader import load_definition_file
from surveyapp.services.translation_view import translation_rows, translation_summaries


def _definition() -> dict:
    return load_definition_file(QUESTIONNAIRES / "languages.yaml").to_dict()


def test_rows_pair_every_text_with_its_translation_and_mark_the_missing_ones():
    definition = _definition()
    rows = translation_rows(definition, "cy")
    by_what = {(r.where, r.what): r for r in rows}
    assert by_what[("The survey", "Title")].translated == "Eich fferyllfa leol"
    assert by_what[("Page ‘Your visits’", "Page title")].translated == "Eich ymweliadau"
    label = by_what[("Question ‘How often do you visit the pharmacy?’", "Question")]
    assert label.source == "How often do you visit the pharmacy?" and label.translated
    # drop one translation: it shows as missing, and the count follows
    del definition["translations"]["cy"]["title"]
    assert translation_rows(definition, "cy")[0].translated is None
    summaries = {s.language.code: s for s in translation_summaries(definition)}
    assert set(summaries) == {"cy", "ur"}
    assert summaries["cy"].missing == sum(1 for r in translation_rows(definition, "cy") if r.translated is None) >= 1
    assert summaries["cy"].total == len(rows)


def test_choices_and_messages_are_listed_one_row_each():
    rows = translation_rows(_definition(), "cy")
    whats = [r.what for r in rows if r.where == "Question ‘How often do you visit the pharmacy?’"]
    assert whats[:3] == ["Question", "Hint", "Message when there is no answer"]
    assert {"Answer ‘never’", "Answer ‘monthly’", "Answer ‘weekly’"} <= set(whats)


def test_a_questionnaire_in_one_language_has_nothing_to_list():
    definition = load_definition_file(QUESTIONNAIRES / "short_text.yaml").to_dict()
    assert translation_summaries(definition) == []
    assert all(r.translated is None for r in translation_rows(definition, "cy"))


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def test_the_page_lists_languages_and_shows_one_side_by_side(admin_client, import_survey):
    import_survey("languages")
    listing = admin_client.get("/admin/surveys/test-languages/editor/translations")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert '<span lang="cy" dir="ltr">Cymraeg</span>' in text and 'lang="ur" dir="rtl"' in text
    page = admin_client.get("/admin/surveys/test-languages/editor/translations?lang=ur").get_data(as_text=True)
    assert 'lang="ur" dir="rtl">' in page and "Translation into" in page
    missing = len(re.findall(r"<tr class=\"govuk-table__row\" data-missing>", page))
    summary = {s.language.code: s for s in translation_summaries(_definition())}["ur"]
    assert missing == summary.missing
    assert admin_client.get("/admin/surveys/test-languages/editor/translations?lang=fr").status_code == 404
    assert admin_client.get("/admin/surveys/test-languages/editor/translations?lang=%3Cscript%3E").status_code == 404


def test_an_analyst_not_allowed_on_the_survey_cannot_see_it(app, import_survey):
    import_survey("languages")
    client = app.test_client()
    sign_in(client, make_user("analyst@example.org", "analyst"))
    assert client.get("/admin/surveys/test-languages/editor/translations").status_code == 403


def test_set_translations_writes_paths_removes_empty_ones_and_keeps_the_language_name():
    from surveyapp.services.translation_view import set_translations

    definition = _definition()
    rows = {r.what + "|" + r.where: r for r in translation_rows(definition, "cy")}
    title = rows["Title|The survey"].path
    page = rows["Page title|Page ‘Your visits’"].path
    set_translations(definition, "cy", {title: "  Teitl newydd ", page: ""})
    entry = definition["translations"]["cy"]
    assert entry["title"] == "Teitl newydd" and entry["name"] == "Cymraeg"
    assert "visits" not in entry.get("pages", {})  # emptied, then pruned


def test_an_admin_saves_translations_into_the_draft_and_a_missing_one_is_then_filled(admin_client, import_survey):
    from surveyapp.extensions import db
    from surveyapp.models import Survey

    import_survey("languages")
    url = "/admin/surveys/test-languages/editor/translations?lang=ur"
    page = admin_client.get(url).get_data(as_text=True)
    names = re.findall(r'name="(text-\d+)"', page)
    values = dict(re.findall(r'name="(text-\d+)" type="text" value="([^"]*)"', page))
    missing_before = page.count("data-missing")
    assert missing_before >= 1
    # fill every box (keeping what is there) and add a new translation where one was missing
    data = {name: values.get(name) or f"ترجمہ {name} <b>" for name in names}
    response = admin_client.post(url, data=data)
    assert response.status_code == 302
    after = admin_client.get(url).get_data(as_text=True)
    assert "data-missing" not in after and "ترجمہ" in after and "&lt;b&gt;" in after
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == "test-languages"))
    db.session.refresh(survey)
    assert survey.draft_definition["translations"]["ur"]["name"] == "اردو"
    # the draft still validates: it can be published
    from surveyapp.services import editing

    assert not editing.draft_problems(survey.draft_definition).all


def test_a_translation_too_long_is_refused_beside_its_box_and_nothing_is_saved(admin_client, import_survey):
    from surveyapp.extensions import db
    from surveyapp.models import Survey

    import_survey("languages")
    url = "/admin/surveys/test-languages/editor/translations?lang=cy"
    response = admin_client.post(url, data={"text-0": "x" * 10_001, "text-1": "Newydd"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "10,000 characters at most" in page and 'href="#text-0"' in page
    assert 'value="Newydd"' in page  # what was typed is kept
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == "test-languages"))
    assert survey.draft_definition is None
    assert admin_client.post("/admin/surveys/test-languages/editor/translations", data={}).status_code == 400
    assert admin_client.post(url.replace("=cy", "=fr"), data={}).status_code == 404
