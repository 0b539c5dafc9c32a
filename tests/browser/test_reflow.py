"""The respondent pages at 320 CSS pixels wide: no horizontal scrolling (WCAG 2.1, 1.4.10 Reflow).

A 320 px viewport is what a 640 px wide window shows at 200% zoom (and a
1280 px one at 400%); device_scale_factor 2 draws it as that zoomed window would.
Each kind of respondent page is visited: start, every input type of the demo
survey, the error state, a question revealed on the same page, check your
answers, the confirmation and "already completed". Each is scanned by axe too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.respondent import open_gp_survey, personal_link

pytestmark = pytest.mark.browser

NARROW = {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2}


def assert_no_horizontal_scrolling(page, what: str) -> None:
    sizes = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["inner"] == 320
    assert sizes["scroll"] <= sizes["inner"], f"{what} scrolls sideways at 320 px: {sizes}"


def test_respondent_pages_reflow_at_320_css_pixels(app, web, import_survey, mailbox):
    link = personal_link(app, open_gp_survey(import_survey), mailbox)
    page = web.new_page(**NARROW)

    def looks_right(what: str) -> None:
        assert_no_horizontal_scrolling(page, what)
        web.check(page)

    def heading(text: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(text)

    page.goto(link)
    looks_right("the start page")
    page.get_by_role("button", name="Start now").click()
    heading("About your practice")
    looks_right("a page with a note, radios and a number with a suffix")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    looks_right("the error state")
    page.get_by_role("radio", name="North PCT").check()
    page.locator("#referrals").fill("5")
    page.get_by_role("button", name="Continue").click()
    heading("Knowing about the service")
    looks_right("a yes/no question")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()
    heading("Referring patients")
    looks_right("checkboxes, a Likert scale, a date and a 0-10 rating")
    page.get_by_role("checkbox", name="Another way").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("What other way did you use?")).to_be_visible()
    looks_right("a short text question revealed on the same page")
    page.get_by_label("What other way did you use?").fill("Fax")
    page.get_by_role("button", name="Continue").click()
    heading("Your views")
    looks_right("long text questions with character counts")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()
    heading("Check your answers before submitting")
    looks_right("check your answers")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".govuk-panel")).to_be_visible()
    looks_right("the confirmation")
    page.goto(link)
    heading("You have already completed this survey")
    looks_right("already completed")
