"""A staff member chooses the interface language on Your account, in a real Chromium (issue 18).

An admin whose browser asks for English signs in, chooses Cymraeg on Your account (a Flask-WTF POST with the
page's CSRF token) and sees the admin pages in Welsh with `<html lang="cy">`; then chooses اردو and sees them in
Urdu, right to left (`lang="ur" dir="rtl"`), with the GOV.UK radios mirrored. Every state is scanned by
axe-core with the WCAG 2.2 AA tags (web.check).
"""

from __future__ import annotations

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect

from browser.respondent import release_database

pytestmark = pytest.mark.browser


def assert_language(page, lang: str, direction: str | None = None) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    if direction:
        expect(html).to_have_attribute("dir", direction)
    else:
        expect(html).not_to_have_attribute("dir", "rtl")


def choose_language(page, name: str) -> None:
    page.goto("/account")
    page.locator(f"label:has(span:text-is('{name}'))").click()
    page.locator("form[action='/account/language'] button").click()


def test_an_admin_switches_the_staff_pages_to_welsh_then_to_urdu(app, web, import_survey):
    import_survey("single_choice")
    make_user("admin@example.org", "admin")
    release_database()

    page = web.new_page(locale="en-GB", viewport={"width": 1024, "height": 900})
    page.goto("/login?lang=ur")  # the sign-in page's own language links (kept in the session)
    assert_language(page, "ur", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("سائن ان کریں")
    web.check(page)
    page.get_by_role("link", name="English").click()
    assert_language(page, "en")
    web.check(page)
    page.get_by_label("Email address").press_sequentially("admin@example.org")
    page.get_by_label("Password", exact=True).press_sequentially(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    page.goto("/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    # each language is named in itself, marked with its own lang and dir
    expect(page.locator("label span[lang=ur]")).to_have_attribute("dir", "rtl")
    expect(page.locator("label span[lang=cy]")).to_have_text("Cymraeg")
    web.check(page)

    choose_language(page, "Cymraeg")
    assert_language(page, "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich cyfrif")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Iaith wedi’i newid i Cymraeg.")
    expect(page.get_by_role("button", name="Allgofnodi")).to_be_visible()
    expect(page.locator("input[name=language][value=cy]")).to_be_checked()
    web.check(page)
    for path, heading in (("/admin/", "Arolygon"), ("/admin/users", "Defnyddwyr"), ("/admin/audit", "Log archwilio")):
        page.goto(path)
        assert_language(page, "cy")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        web.check(page)
    expect(page.locator("table")).to_contain_text("interface_language_changed")

    choose_language(page, "اردو")
    assert_language(page, "ur", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("آپ کا اکاؤنٹ")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("زبان تبدیل کر کے اردو کر دی گئی۔")
    # the GOV.UK radios are mirrored: the box is on the right of its label
    item = page.locator(".govuk-radios__item").first
    box = item.locator(".govuk-radios__input").bounding_box()
    label = item.locator(".govuk-radios__label").bounding_box()
    assert box["x"] > label["x"], (box, label)
    web.check(page)
    for path, heading in (("/admin/", "سروے"), ("/admin/users", "صارفین"), ("/admin/users/new", "نیا اکاؤنٹ")):
        page.goto(path)
        assert_language(page, "ur", "rtl")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        web.check(page)

    # a form error on a right-to-left page: the summary in Urdu, linked to the field
    page.get_by_role("button", name="اکاؤنٹ بنائیں").click()
    expect(page.locator(".govuk-error-summary__title")).to_have_text("ایک مسئلہ ہے")
    expect(page.locator(".govuk-error-summary")).to_contain_text("ای میل ایڈریس درج کریں")
    assert_language(page, "ur", "rtl")
    web.check(page)
