"""A right-to-left survey answered in Chromium: the demo carers' survey in Urdu (issue 18).

The product's own words (buttons, the error summary, headings) are in Urdu and Welsh from their interface
catalogues. With JavaScript on: the personal link with ?lang=ur, a page whose errors are corrected through
the error summary, check your answers, submit. With JavaScript off: the language switcher
(a form of buttons) changes language mid-way and keeps the answers, and the text typed on the page. Every state is scanned by
axe-core with the WCAG 2.2 AA tags, `<html>` says lang="ur" dir="rtl", the GOV.UK radios are
mirrored (the box on the right of its label), and screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[2] / "surveyapp" / "demo" / "carers_support.yaml"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLE_UR = "نگہداشت کرنے والوں کا سروے: بلا معاوضہ نگہداشت کرنے والوں کے لیے مدد"
HOURS_UR = "آپ ہفتے میں تقریباً کتنے گھنٹے نگہداشت میں گزارتے ہیں؟"
HOURS_ERROR_UR = "منتخب کریں کہ آپ ہفتے میں تقریباً کتنے گھنٹے نگہداشت میں گزارتے ہیں"


@pytest.fixture
def link(import_survey, invite):
    survey = import_survey("carers_support", text=DEMO.read_text(encoding="utf-8"))
    _, _, path = invite(survey)
    db.session.rollback()  # end the test's read transaction: SQLite would keep the live server waiting
    return path


def assert_urdu_rtl(page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ur")
    expect(html).to_have_attribute("dir", "rtl")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def test_an_urdu_respondent_answers_right_to_left_with_javascript_on(web, link):
    page = web.new_page(viewport={"width": 1024, "height": 900})
    page.goto(f"{link}?lang=ur")
    assert_urdu_rtl(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_UR)
    # the switcher names each language in itself, marked with its own lang and dir
    english = page.locator(".app-language-switcher button[lang=en]")
    expect(english).to_have_text("English")
    expect(english).to_have_attribute("dir", "ltr")
    expect(page.locator(".app-language-switcher [aria-current=true]")).to_have_attribute("lang", "ur")
    web.check(page)
    screenshot(page, "survey-start-rtl.png")
    page.get_by_role("button", name="ابھی شروع کریں").click()  # the interface is in Urdu too (its catalogue)

    # The first page, sent empty: the error summary in Urdu, focused, each link to its field.
    expect(page.get_by_role("heading", level=1)).to_have_text("آپ کی نگہداشت")
    assert_urdu_rtl(page)
    web.check(page)
    page.get_by_role("button", name="جاری رکھیں").click()
    expect(page).to_have_title(re.compile("^خرابی: "))
    expect(page.locator(".govuk-error-summary__title")).to_have_text("ایک مسئلہ ہے")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary.get_by_role("link").first).to_have_text(HOURS_ERROR_UR)
    assert_urdu_rtl(page)
    web.check(page)
    screenshot(page, "survey-page-rtl.png")

    # Radios are mirrored: the box is on the right of its label, and the labels start on the right.
    option = page.get_by_role("radio", name="20 سے 49 گھنٹے")
    label = page.locator("label[for=hours-2]")
    box = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('label[for=hours-2]'), '::before');"
        " return {left: s.left, right: s.right}; }"
    )
    assert box["right"] == "2px", box  # GOV.UK draws the box at left: 2px; mirrored here
    input_box, label_box = option.bounding_box(), label.bounding_box()
    assert input_box["x"] > label_box["x"], (input_box, label_box)

    summary.get_by_role("link").first.click()
    expect(page.locator("#hours")).to_be_focused()
    option.check()
    page.get_by_role("radio", name="7", exact=True).check()
    page.get_by_role("button", name="جاری رکھیں").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("کچھ اور")
    assert_urdu_rtl(page)
    page.get_by_label("کون سی ایک چیز آپ کی سب سے زیادہ مدد کرے گی؟").fill("ہفتے میں ایک دن کی چھٹی")
    web.check(page)
    page.get_by_role("button", name="جاری رکھیں").click()

    # Check your answers: the Urdu labels and options, the Change links on the left.
    expect(page.get_by_role("heading", level=1)).to_have_text("جمع کرانے سے پہلے اپنے جوابات چیک کریں")
    assert_urdu_rtl(page)
    rows = page.locator(".govuk-summary-list__row")
    expect(rows.nth(0)).to_contain_text(HOURS_UR)
    expect(rows.nth(0)).to_contain_text("20 سے 49 گھنٹے")
    expect(page.locator(".govuk-summary-list").last).to_contain_text("ہفتے میں ایک دن کی چھٹی")
    key, action = (
        rows.nth(0).locator("dt").bounding_box(),
        rows.nth(0).locator(".govuk-summary-list__actions").bounding_box(),
    )
    assert action["x"] < key["x"], "the Change link should be on the left of a right-to-left row"
    web.check(page)
    screenshot(page, "check-your-answers-rtl.png")
    page.get_by_role("button", name="جوابات جمع کرائیں").click()

    expect(page.locator(".govuk-panel")).to_contain_text("آپ کے جوابات بھیج دیے گئے ہیں")
    assert_urdu_rtl(page)
    expect(page.locator("main")).to_contain_text("نارتھ شائر کیررز نیٹ ورک")
    web.check(page)

    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    assert (response.language, response.status) == ("ur", "completed")


def test_the_switcher_changes_language_mid_way_and_keeps_the_answers_with_javascript_off(web, link):
    page = web.new_page(java_script_enabled=False)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    web.check(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("radio", name="50 hours or more").check()
    page.get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anything else")

    # Switch to Urdu on the second page, with text typed and not sent: same page, now right to left, the
    # typed text still there (the switcher submits the page's form), the first page's answers kept.
    page.get_by_label("What one thing would help you most?").fill("A day off each week")
    page.locator(".app-language-switcher button[lang=ur]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("کچھ اور")
    assert_urdu_rtl(page)
    expect(page.get_by_label("کون سی ایک چیز آپ کی سب سے زیادہ مدد کرے گی؟")).to_have_value("A day off each week")
    web.check(page)
    page.get_by_role("link", name="واپس").click()
    expect(page.get_by_role("radio", name="50 گھنٹے یا زیادہ")).to_be_checked()
    expect(page.get_by_role("radio", name="3", exact=True)).to_be_checked()
    web.check(page)

    # And to Welsh from there: left to right again, still the same answers.
    page.locator(".app-language-switcher button[lang=cy]").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("html")).not_to_have_attribute("dir", "rtl")
    expect(page.get_by_role("radio", name="50 awr neu fwy")).to_be_checked()
    expect(page.get_by_role("button", name="Parhau")).to_be_visible()
    web.check(page)
