"""A respondent answers a survey whose second page lists only the towns of the region given on the first page
(a choice filter), in a real Chromium with JavaScript on and off: the list is the server's, the change link on
check your answers brings the first page back, and a new region gives a new list. axe-core (WCAG 2.2 AA) on
every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from surveyapp.extensions import db

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_the_second_pages_list_follows_the_first_pages_answer(web, import_survey, javascript):
    key = import_survey("choice-filter").public_key
    db.session.commit()  # end the test's own transaction: the live server writes to the same database
    page = web.new_page(java_script_enabled=javascript)
    page.goto(f"/p/{key}")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("radio", name="North").check()
    web.check(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your town")
    town = page.get_by_role("group", name="Which town do you live nearest to?")
    expect(town.get_by_role("radio")).to_have_count(2)
    expect(town.get_by_role("radio", name="Leeds")).to_be_visible()
    expect(town.get_by_role("radio", name="York")).to_be_visible()
    expect(page.get_by_role("radio", name="Bath")).to_have_count(0)
    visited = page.get_by_role("group", name="Which of these towns have you visited?")
    expect(visited.get_by_role("checkbox")).to_have_count(3)  # north's two, and Truro (south west) for everyone
    web.check(page)
    page.get_by_role("button", name="Continue").click()  # nothing chosen: the required town is asked for
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select an answer for")
    web.check(page)
    town.get_by_role("radio", name="York").check()
    visited.get_by_role("checkbox", name="Truro").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anything else")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    expect(page.locator("main")).to_contain_text("York")
    web.check(page)
    # change the region: York is no longer offered, so it is dropped and the town page lists the south's towns
    page.get_by_role("link", name="Change").first.click()
    page.get_by_role("radio", name="South").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).not_to_contain_text("York")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your town")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select an answer for")
    town = page.get_by_role("group", name="Which town do you live nearest to?")
    expect(town.get_by_role("radio")).to_have_count(2)
    expect(town.get_by_role("radio", name="Bristol")).to_be_visible()
    expect(visited.get_by_role("checkbox", name="Truro")).to_be_checked()  # still offered: kept
    web.check(page)
    town.get_by_role("radio", name="Bath").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anything else")  # the journey goes on from there
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    expect(page.locator("main")).to_contain_text("Bath")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    web.check(page)
