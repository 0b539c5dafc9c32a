"""Easy read in Chromium: the start page and a question page of a survey's `en-x-easyread` variant have
larger text (24 px body, where the plain English page has GOV.UK's 19 px), show the variant's own picture
above the question (within a phone's width), and pass axe with WCAG 2.2 AA."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from route_values import tiny_png

from browser import harness
from surveyapp.extensions import db
from surveyapp.services.images import add_image

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def body_font_size(page) -> str:
    return page.evaluate("() => getComputedStyle(document.querySelector('main .govuk-body')).fontSize")


def test_the_easy_read_variant_has_larger_text(app, web, import_survey, wcag22):
    survey = import_survey("easy_read")
    add_image(db.session, survey, "calendar-week.png", tiny_png((30, 90, 160), size=(900, 600)))
    db.session.commit()
    path = f"/p/{survey.public_key}"
    db.session.rollback()  # the live server writes: end the test's read transaction
    page = web.new_page()
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(path)
    assert body_font_size(page) == "19px"
    page.goto(f"{path}?lang=en-x-easyread")
    expect(page.locator("html")).to_have_attribute("lang", "en-x-easyread")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your doctor")
    assert body_font_size(page) == "24px"
    web.check(page)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seeing the doctor")
    legend = page.evaluate("() => getComputedStyle(document.querySelector('.govuk-fieldset__legend')).fontSize")
    assert legend == "24px"
    picture = page.locator("img.app-question-image")
    expect(picture).to_have_attribute("alt", "")  # it illustrates the words, which say it all
    assert page.evaluate("() => document.querySelector('img.app-question-image').naturalWidth") == 900
    web.check(page)
    page.set_viewport_size({"width": 320, "height": 640})  # a small phone: the picture fits, no sideways scroll
    assert picture.bounding_box()["width"] <= 320 - 2 * 15
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
