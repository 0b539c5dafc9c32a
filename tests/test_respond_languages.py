"""The respondent's language: the default, ?lang=, a contact's `language` attribute, the switcher (a POST that
keeps every answer), <html lang dir>, and results that count answers by choice code whatever the language."""

from __future__ import annotations

import html
import re

import pytest
from journey_helpers import Journey, error_summary, shown_fields
from sqlalchemy import func, select
from test_journey_statements import ANSWERS, FOUR_QUESTIONS, counted_statements, journey_budget

from surveyapp.extensions import db
from surveyapp.models import Answer, Choice, ContactAttribute, Question, Response


@pytest.fixture
def survey(import_survey):
    return import_survey("languages")


def public_path(survey) -> str:
    return f"/p/{survey.public_key}"


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def switcher(html: str) -> list[tuple[str, str]]:
    """(lang, name) of each language the switcher offers as a button."""
    return re.findall(
        r'<button type="submit" class="app-link-button" name="lang" value="[^"]+" lang="([^"]+)"[^>]*>([^<]+)<', html
    )


def the_response() -> Response:
    db.session.expire_all()
    return db.session.scalars(select(Response)).one()


def test_the_start_page_is_in_the_default_language_and_offers_the_others_each_in_its_own_language(client, survey):
    html = client.get(public_path(survey)).get_data(as_text=True)
    assert html_tag(html).startswith('<html lang="en" ')
    assert "dir=" not in html_tag(html)
    assert "Your local pharmacy" in html
    assert switcher(html) == [("cy", "Cymraeg"), ("ur", "اردو")]
    assert 'lang="en" dir="ltr" aria-current="true">English<' in html
    assert 'name="lang" value="ur" lang="ur" dir="rtl"' in html


def test_lang_in_the_link_starts_the_survey_in_that_language_and_the_response_keeps_it(client, survey):
    path = public_path(survey)
    start = client.get(path, query_string={"lang": "cy"}).get_data(as_text=True)
    assert html_tag(start).startswith('<html lang="cy" ')
    assert "Eich fferyllfa leol" in start and "Arolwg byr am eich fferyllfa leol." in start
    assert '<input type="hidden" name="lang" value="cy">' in start
    assert client.post(f"{path}/start", data={"lang": "cy"}).location.endswith("/page/visits")
    assert the_response().language == "cy"
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    assert "Pa mor aml ydych chi&#39;n mynd i&#39;r fferyllfa?" in page
    assert "Tua unwaith y mis" in page and "Eich ymweliadau" in page
    # resuming with the same link goes back to the page, still in Welsh, whatever the link says now
    assert client.get(path, query_string={"lang": "ur"}).location.endswith("/page/visits")
    assert "Eich ymweliadau" in client.get(f"{path}/page/visits").get_data(as_text=True)


def test_a_right_to_left_language_sets_dir_rtl_on_the_html_element(client, survey):
    path = public_path(survey)
    client.post(f"{path}/start", data={"lang": "ur"})
    html = client.get(f"{path}/page/visits").get_data(as_text=True)
    assert html_tag(html).startswith('<html lang="ur" dir="rtl" ')
    assert "آپ کتنی بار فارمیسی جاتے ہیں؟" in html
    # the product's own words are in Urdu too (its interface catalogue), so nothing is marked as English
    assert "جاری رکھیں" in html and '<p class="govuk-body-s" lang="en"' not in html


@pytest.mark.parametrize("lang", ["<script>alert(1)</script>", "fr", "x" * 100_000, "", "cy\u202e", '"><b>'])
def test_an_unknown_or_hostile_lang_falls_back_to_the_default_language_quietly(client, survey, lang):
    response = client.get(public_path(survey), query_string={"lang": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_tag(html).startswith('<html lang="en" ')
    assert "<script>alert" not in html and "<b>" not in html
    assert 'name="lang" value=' not in html.split("Start now")[0].split("</nav>")[-1]  # no hidden lang field


def test_lang_codes_match_ignoring_case_and_region(client, survey):
    for asked in ("CY", "cy-GB"):
        html = client.get(public_path(survey), query_string={"lang": asked}).get_data(as_text=True)
        assert html_tag(html).startswith('<html lang="cy" ')


def test_switching_language_keeps_every_answer_and_returns_to_the_same_page(client, survey):
    path = public_path(survey)
    journey = Journey(client, path)
    journey.start()
    assert journey.answer("visits", {"how_often": "weekly", "age": "40"}).location.endswith("/page/views")
    views = client.get(f"{path}/page/views").get_data(as_text=True)
    assert switcher(views) == [("cy", "Cymraeg"), ("ur", "اردو")]
    switched = client.post(f"{path}/language", data={"lang": "cy", "back_to": f"{path}/page/views"})
    assert switched.status_code == 303 and switched.location.endswith(f"{path}/page/views")
    assert the_response().language == "cy"
    check = client.get(f"{path}/check").get_data(as_text=True)
    assert "Bob wythnos" in check and "40" in check  # the English answers, shown in Welsh
    assert "Eich ymweliadau" in check
    # and back to English: still the same answers
    client.post(f"{path}/language", data={"lang": "en", "back_to": f"{path}/check"})
    check = client.get(f"{path}/check").get_data(as_text=True)
    assert "Every week" in check and html_tag(check).startswith('<html lang="en" ')
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 2


def test_switching_on_a_question_page_keeps_what_was_typed_and_not_yet_sent(client, survey):
    """The switcher's buttons submit the page's own form, so typed text comes back in the new language, unsaved."""
    path = public_path(survey)
    journey = Journey(client, path)
    journey.start()
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" class="app-link-button"[^>]*>', page)
    assert buttons and all('form="app-page-form"' in b for b in buttons)
    assert '<form method="post" action="' in page and 'id="app-page-form"' in page
    action = html.unescape(re.search(r'formaction="([^"]+)"', buttons[0]).group(1))
    assert action == f"{path}/language?back_to=%2Fp%2F{survey.public_key}%2Fpage%2Fvisits"
    typed = {"_shown": ["how_often", "age"], "how_often": "monthly", "age": "<b>forty</b>", "lang": "cy"}
    switched = client.post(action, data=typed)
    assert switched.status_code == 200
    welsh = switched.get_data(as_text=True)
    assert html_tag(welsh).startswith('<html lang="cy"') and "Faint yw eich oed?" in welsh
    assert 'value="&lt;b&gt;forty&lt;/b&gt;"' in welsh  # what was typed, escaped, not judged yet
    assert re.search(r'value="monthly"[^>]*checked', welsh)
    assert "govuk-error-summary" not in welsh and "Tua unwaith y mis" in welsh
    assert the_response().language == "cy"
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0  # nothing saved until Continue
    # a hostile or foreign back_to is never a page to show: back to the journey's own page
    elsewhere = client.post(f"{path}/language?back_to=/admin", data={**typed, "lang": "ur"})
    assert elsewhere.status_code == 303 and elsewhere.location.endswith(f"{path}/page/visits")
    # the Welsh page's Continue saves it as usual
    saved = client.post(
        f"{path}/page/visits", data={"_shown": ["how_often", "age"], "how_often": "monthly", "age": "40"}
    )
    assert saved.status_code == 302 and db.session.scalar(select(func.count()).select_from(Answer)) == 2


def test_the_switcher_goes_back_only_to_the_journeys_own_pages(client, survey):
    path = public_path(survey)
    Journey(client, path).start()
    for back_to in ("https://evil.example/", "//evil.example", "/admin", f"{path}/page/nope"):
        switched = client.post(f"{path}/language", data={"lang": "ur", "back_to": back_to})
        assert switched.status_code == 303 and switched.location.endswith(f"{path}/page/visits")
    # an unknown language changes nothing
    client.post(f"{path}/language", data={"lang": "<script>", "back_to": f"{path}/page/visits"})
    assert the_response().language == "ur"


def test_switching_before_starting_goes_back_to_the_start_page_in_that_language(client, survey):
    path = public_path(survey)
    switched = client.post(f"{path}/language", data={"lang": "ur", "back_to": path})
    assert switched.status_code == 303 and switched.location.endswith(f"{path}?lang=ur")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_translated_error_messages_are_shown_in_the_chosen_language(client, survey):
    path = public_path(survey)
    client.post(f"{path}/start", data={"lang": "cy"})
    page = Journey(client, path).answer("visits", {"age": "99"})
    assert error_summary(page.get_data(as_text=True)) == [
        ("#how_often", "Dewiswch pa mor aml rydych chi'n mynd i'r fferyllfa"),
        ("#age", "Rhowch eich oed go iawn"),
    ]


def test_the_thank_you_page_names_the_survey_and_organisation_in_the_chosen_language(client, survey):
    path = public_path(survey)
    journey = Journey(client, path)
    client.post(f"{path}/start", data={"lang": "cy"})
    journey.answer("visits", {"how_often": "never"})
    journey.answer("views", {})
    done = client.get(client.post(f"{path}/submit").location).get_data(as_text=True)
    assert "Eich fferyllfa leol" in done and "Partneriaeth Iechyd Glan yr Afon" in done
    # the product has a Welsh catalogue: the whole sentence is Welsh, with no English marks around it
    assert (
        '<p class="govuk-body">Mae eich atebion wedi mynd at Partneriaeth Iechyd Glan yr Afon, '
        "sy’n cynnal “Eich fferyllfa leol”." in done
    )
    assert 'lang="en"' not in done.split("<main", 1)[1].split("</main>", 1)[0]
    assert html_tag(done).startswith('<html lang="cy" ')


def invite_with_language(survey, invite, language: str):
    invitation, token, path = invite(survey)
    db.session.add(ContactAttribute(contact_id=invitation.contact_id, name="language", value=language))
    db.session.commit()
    return path


def test_a_contacts_language_attribute_picks_the_language_of_a_personal_link(client, survey, invite):
    path = invite_with_language(survey, invite, "cy")
    start = client.get(path).get_data(as_text=True)
    assert html_tag(start).startswith('<html lang="cy" ') and "Eich fferyllfa leol" in start
    client.post(f"{path}/start")
    assert the_response().language == "cy"
    assert "Eich ymweliadau" in client.get(f"{path}/page/visits").get_data(as_text=True)


def test_lang_in_the_link_wins_over_the_contacts_attribute(client, survey, invite):
    path = invite_with_language(survey, invite, "cy")
    assert html_tag(client.get(path, query_string={"lang": "ur"}).get_data(as_text=True)).startswith(
        '<html lang="ur" dir="rtl"'
    )


def test_a_contacts_language_the_survey_does_not_have_gives_the_default(client, survey, invite):
    path = invite_with_language(survey, invite, "pl")
    assert html_tag(client.get(path).get_data(as_text=True)).startswith('<html lang="en" ')
    client.post(f"{path}/start")
    assert the_response().language is None


def test_a_survey_in_one_language_has_no_switcher(client, import_survey):
    survey = import_survey("single_choice")
    html = client.get(f"/p/{survey.public_key}").get_data(as_text=True) if survey.public_key else ""
    assert "app-language-switcher" not in html


def test_answers_given_in_two_languages_are_tallied_together_by_choice_code(app, survey):
    for language in ("en", "cy", "ur"):
        client = app.test_client()
        path = public_path(survey)
        client.post(f"{path}/start", data={"lang": language})
        Journey(client, path).answer("visits", {"how_often": "weekly"})
    db.session.expire_all()
    assert {r.language for r in db.session.scalars(select(Response))} == {"en", "cy", "ur"}
    counts = db.session.execute(
        select(Choice.value, func.count(Answer.id))
        .join(Answer, Answer.choice_id == Choice.id)
        .join(Question, Question.id == Choice.question_id)
        .where(Question.name == "how_often")
        .group_by(Choice.value)
    ).all()
    assert counts == [("weekly", 3)]


def test_results_count_completed_answers_from_every_language_under_one_choice(app, survey):
    from surveyapp.analysis.queries import distributions

    for language in ("cy", "ur", "en"):
        client = app.test_client()
        path = public_path(survey)
        client.post(f"{path}/start", data={"lang": language})
        Journey(client, path).answer("visits", {"how_often": "monthly"})
        Journey(client, path).answer("views", {"helpful": "yes"})
        assert client.post(f"{path}/submit").status_code == 303
    results = distributions(db.session, survey.id)
    assert results.respondents == 3
    assert results.choices["how_often"] == {"monthly": 3}
    assert results.choices["helpful"] == {"yes": 3}


FOUR_QUESTIONS_IN_URDU = (
    FOUR_QUESTIONS
    + """
translations:
  ur:
    title: چار سوال
    pages:
      main: {title: چار سوال}
    questions:
      visited: {label: کیا آپ آئے تھے؟}
      rating:
        label: یہ کیسا تھا؟
        choices: {good: اچھا, bad: برا}
"""
)


def test_a_whole_journey_in_another_language_stays_within_the_statement_budget(app, import_survey):
    survey = import_survey("lean-urdu", text=FOUR_QUESTIONS_IN_URDU)
    path = public_path(survey)

    def whole_journey(client):
        assert 'dir="rtl"' in client.get(path, query_string={"lang": "ur"}).get_data(as_text=True)
        assert client.post(f"{path}/start", data={"lang": "ur"}).location.endswith("/page/main")
        shown = shown_fields(client.get(f"{path}/page/main").get_data(as_text=True))
        assert client.post(f"{path}/page/main", data={"_shown": shown, **ANSWERS}).location.endswith("/check")
        assert "اچھا" in client.get(f"{path}/check").get_data(as_text=True)
        done = client.post(f"{path}/submit")
        assert "چار سوال" in client.get(done.location).get_data(as_text=True)

    db.session.close()
    whole_journey(app.test_client())  # fills the per-process cache, the translation included
    with counted_statements() as statements:
        whole_journey(app.test_client())
    assert len(statements) <= journey_budget(), "\n\n".join(statements)  # as the English one


PARTLY_TRANSLATED = """
slug: partly
title: Your pharmacy
settings:
  public_link: true
  start_text: Tell us about your pharmacy.
pages:
  - name: visits
    title: Your visits
    questions:
      - name: often
        type: single_choice
        label: How often do you go?
        hint: Think of the <b>last</b> year.
        choices: [{value: weekly, label: Every week}, {value: rarely, label: Hardly ever}]
translations:
  ur:
    title: آپ کی فارمیسی
    questions:
      often:
        label: آپ کتنی بار جاتے ہیں؟
        choices: {weekly: ہر ہفتے}
"""


def test_text_a_translation_leaves_out_is_marked_in_the_default_language(client, import_survey):
    """Urdu page, English where the translation has nothing: each such text carries lang="en" dir="ltr"."""
    path = public_path(import_survey("partly", text=PARTLY_TRANSLATED))
    start = client.get(path, query_string={"lang": "ur"}).get_data(as_text=True)
    assert html_tag(start).startswith('<html lang="ur" dir="rtl"')
    assert '<h1 class="govuk-heading-l">آپ کی فارمیسی</h1>' in start  # translated: the page's own language
    assert '<p class="govuk-body" lang="en" dir="ltr">Tell us about your pharmacy.</p>' in start
    client.post(f"{path}/start", data={"lang": "ur"})
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l" lang="en" dir="ltr">Your visits</h1>' in page
    assert '<span lang="en" dir="ltr">Think of the &lt;b&gt;last&lt;/b&gt; year.</span>' in page  # escaped
    assert '<span lang="en" dir="ltr">Hardly ever</span>' in page  # an option left out
    assert "آپ کتنی بار جاتے ہیں؟" in page and '<span lang="en" dir="ltr">How often' not in page
    assert re.search(r"<label[^>]*>\s*ہر ہفتے\s*</label>", page)  # a translated option is not wrapped
    # In English nothing is marked: every text is in the page's own language.
    english = client.application.test_client().get(path).get_data(as_text=True)
    assert 'lang="en" dir="ltr">' not in english.split("<main", 1)[1]
