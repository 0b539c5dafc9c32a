"""A staff member's own interface language (issue 18): chosen on Your account, stored on the user, and
preferred to the browser's Accept-Language on every staff page; never read on a respondent's page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from auth_helpers import PASSWORD, assign, log_in, make_user, sign_in
from conftest import csrf_token_from, make_app
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User

QUESTIONNAIRES = Path(__file__).parent / "questionnaires"
WELSH_ACCOUNT = '<h1 class="govuk-heading-l">Eich cyfrif</h1>'


@pytest.fixture
def admin(app):
    return make_user("admin@example.org", "admin")


def language_of(user_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user_id).interface_language


def test_the_account_page_offers_each_language_named_in_itself(client, admin):
    sign_in(client, admin)
    page = client.get("/account").get_data(as_text=True)
    for code, name, direction in (("en", "English", "ltr"), ("cy", "Cymraeg", "ltr"), ("ur", "اردو", "rtl")):
        assert f'value="{code}"' in page
        assert f'<span lang="{code}" dir="{direction}">{name}</span>' in page
    assert 'action="/account/language"' in page and 'name="csrf_token"' in page


def test_a_chosen_language_is_stored_audited_and_shown_at_once(client, admin):
    sign_in(client, admin)
    response = client.post("/account/language", data={"language": "cy"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="cy" class="govuk-template">' in page and WELSH_ACCOUNT in page
    assert "Iaith wedi’i newid i Cymraeg." in page  # the confirmation is in the new language
    assert language_of(admin.id) == "cy"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "interface_language_changed"))
    assert event.target == "admin@example.org" and event.detail == "browser → cy"
    assert re.search(r'value="cy" checked', page)


def test_the_users_choice_wins_over_the_browsers_accept_language(client, admin):
    admin.interface_language = "cy"
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/", headers={"Accept-Language": "ur,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="cy" class="govuk-template">' in page
    assert '<h1 class="govuk-heading-l">Arolygon</h1>' in page and ">Allgofnodi<" in page
    assert "Wedi mewngofnodi fel admin@example.org" in page


def test_without_a_choice_the_browser_decides_and_english_choice_beats_it(client, admin):
    sign_in(client, admin)
    urdu = client.get("/admin/users", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert '<html lang="ur" dir="rtl" class="govuk-template">' in urdu and ">صارفین</h1>" in urdu
    client.post("/account/language", data={"language": "en"})
    english = client.get("/admin/users", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert '<html lang="en" class="govuk-template">' in english and ">Users</h1>" in english


@pytest.mark.parametrize("value", ["de", "", "CY", "cy-GB", "x" * 500, "<script>"])
def test_a_language_that_is_not_offered_gets_a_clear_form_error(client, admin, value):
    admin.interface_language = "cy"
    db.session.commit()
    sign_in(client, admin)
    response = client.post("/account/language", data={"language": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    # the error summary and the field's message, linked to the first radio, in the user's language
    assert "Dewiswch English, Cymraeg neu اردو" in page and 'href="#language"' in page
    assert 'id="language-error"' in page and "govuk-form-group--error" in page
    assert language_of(admin.id) == "cy"


def test_choosing_the_language_needs_the_forms_csrf_token(database_url, admin):
    csrf_app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    sign_in(client, admin)
    db.session.remove()  # the requests below run in csrf_app's own sessions
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    refused = client.post("/account/language", data={"language": "ur"})
    assert refused.status_code == 400 and "The form had expired" in refused.get_data(as_text=True)
    forged = client.post("/account/language", data={"language": "ur", "csrf_token": "forged-" + "x" * 80})
    assert forged.status_code == 400
    with csrf_app.app_context():
        assert db.session.get(User, admin.id).interface_language is None
        db.session.remove()
    accepted = client.post("/account/language", data={"language": "ur", "csrf_token": token})
    assert accepted.status_code == 302
    with csrf_app.app_context():
        assert db.session.get(User, admin.id).interface_language == "ur"
        db.session.remove()


def test_the_sign_in_page_takes_a_language_that_lasts_through_sign_in(client, admin):
    page = client.get("/login", query_string={"lang": "ur"}).get_data(as_text=True)
    assert '<html lang="ur" dir="rtl" class="govuk-template">' in page and "سائن ان کریں" in page
    # each language's link named in itself; the current one is marked
    assert 'lang="cy" hreflang="cy"' in page and '<strong lang="ur" dir="rtl" aria-current="true">اردو</strong>' in page
    again = client.get("/login").get_data(as_text=True)  # kept in the session
    assert '<html lang="ur" dir="rtl"' in again
    ignored = client.get("/login", query_string={"lang": "fr"}).get_data(as_text=True)
    assert '<html lang="ur" dir="rtl"' in ignored
    wrong = log_in(client, "admin@example.org", "not the password").get_data(as_text=True)
    assert "درست ای میل ایڈریس اور پاس ورڈ درج کریں" in wrong
    assert log_in(client, "admin@example.org", PASSWORD).status_code == 302
    signed_in = client.get("/admin/").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl"' in signed_in and ">سروے</h1>" in signed_in


def test_a_volunteers_interview_pages_are_in_welsh_while_the_questionnaire_keeps_its_language(client, import_survey):
    text = (QUESTIONNAIRES / "languages.yaml").read_text().replace("  public_link: true\n", "  interview: true\n", 1)
    survey = import_survey("languages", text=text)
    volunteer = make_user("volunteer@example.org", "volunteer")
    volunteer.interface_language = "cy"
    db.session.commit()
    assign(volunteer, survey)
    sign_in(client, volunteer)

    start = client.get(f"/interviews/new/{survey.slug}").get_data(as_text=True)
    assert '<html lang="cy" class="govuk-template">' in start
    assert "Iaith y cyfweliad" in start and "Dechrau’r cyfweliad" in start
    response = client.post(f"/interviews/new/{survey.slug}", data={"participant_code": "PHB-1", "language": "ur"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    # the page is the questionnaire's (Urdu, right to left); the product's own words are Welsh and say so
    assert '<html lang="ur" dir="rtl" class="govuk-template">' in page
    assert "Your visits" not in page  # the questionnaire's own text is in Urdu
    assert re.search(r'<button[^>]*lang="cy" dir="ltr"[^>]*>\s*Parhau\s*</button>', page), page
    assert re.search(r'<button[^>]*value="draft"[^>]*lang="cy" dir="ltr"[^>]*>\s*Cadw drafft\s*</button>', page), page
    assert 'data-participant-code lang="cy" dir="ltr">Cod cyfranogwr: PHB-1<' in page
    assert "Continue" not in page and "Save draft" not in page


def test_a_staff_members_choice_never_reaches_a_respondents_page(client, admin, import_survey, invite):
    admin.interface_language = "ur"
    db.session.commit()
    _, _, path = invite(import_survey("single_choice"))
    sign_in(client, admin)  # the same browser, signed in as staff, opens a personal link
    page = client.get(path).get_data(as_text=True)
    assert '<html lang="en"' in page and 'dir="rtl"' not in page and "جاری رکھیں" not in page
