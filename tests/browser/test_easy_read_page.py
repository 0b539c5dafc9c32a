"""Easy read in Chromium: the start page and a question page of a survey's `en-x-easyread` variant have
larger text (24 px body, where the plain English page has GOV.UK's 19 px), and pass axe with WCAG 2.2 AA."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import harness
from surveyapp.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def body_font_size(page) -> str:
    return page.evaluate("() => getComputedStyle(document.querySelector('main .govuk-body')).fontSize")


def test_the_easy_read_variant_has_larger_text(app, web, import_survey, wcag22):
    survey = import_survey("easy_read")
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
    web.check(page)
