"""Co-chairs' and authors' pages in Urdu in real Chromium (issue 18): a browser whose language is Urdu
(locale and Accept-Language `ur`) gets the results dashboard and the questionnaire editor in Urdu, right to
left, with the charts drawn (their axis titles in Urdu, hostile labels still text) and axe-core's WCAG 2.2 AA
scan clean on each page."""

from __future__ import annotations

import pytest
from dashboard_data import add_contact, respond
from playwright.sync_api import expect
from test_dashboard_views import HOSTILE_LABEL, HOSTILE_YAML, PASSWORD

from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.services.users import create_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def assert_urdu_rtl(page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ur")
    expect(html).to_have_attribute("dir", "rtl")


def test_results_dashboard_and_editor_in_urdu_right_to_left(app, import_survey, web):
    survey = import_survey("hostile", text=HOSTILE_YAML)
    for i in range(9):
        respond(survey, {"pick": "bad" if i % 2 else "good", "said": "<b>bold</b>"}, add_contact(f"u{i}@example.org"))
    create_user(db.session, "admin@example.org", "admin", PASSWORD)
    db.session.commit()
    release_database()  # end the test's transaction: SQLite would keep the live server waiting

    page = web.new_page(locale="ur", extra_http_headers={"Accept-Language": "ur"})
    page.goto("/login")
    page.fill("#email", "admin@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")  # the sign-in button's words are another page's: found by its field
    expect(page).not_to_have_url("/login")

    page.goto("/dashboards/hostile/results?exact=1")
    assert_urdu_rtl(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("نتائج")
    expect(page.locator("#respondents")).to_have_text("9 مکمل جوابات۔")
    page.wait_for_selector("#chart-pick[data-drawn=true] svg", timeout=20_000)
    expect(page.locator("#chart-pick .xtitle")).to_have_text("جواب دینے والوں کا %")
    tick_labels = page.locator("#chart-pick .ytick text").all_text_contents()
    assert any(HOSTILE_LABEL in label for label in tick_labels), tick_labels  # shown as text, not markup
    assert page.locator("body img[src=x]").count() == 0
    web.check(page)

    page.goto("/admin/surveys/hostile/editor")
    assert_urdu_rtl(page)
    expect(page.locator(".govuk-caption-l")).to_have_text("سوالنامہ ایڈیٹر")
    expect(page.get_by_role("button", name="صفحہ شامل کریں")).to_be_visible()
    web.check(page)

    page.goto("/admin/surveys/hostile/editor/questions/pick")
    assert_urdu_rtl(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("سوال میں ترمیم کریں")
    page.fill("#label", "")
    page.get_by_role("button", name="سوال محفوظ کریں").click()
    expect(page.locator("#label-error")).to_contain_text("سوال درج کریں")
    web.expect_console_error("status of 400")  # the form sent back with its error is a 400
    assert_urdu_rtl(page)
    web.check(page)
