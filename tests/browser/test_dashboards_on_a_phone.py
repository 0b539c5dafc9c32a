"""A co-chair on a phone (390 px wide) in a real Chromium: the dashboards fit the screen, the results filters
apply as soon as they change (a static script; nothing inline), dates are typed the GOV.UK way, and with
JavaScript off the same filters work with the Apply button, in one go. axe-core checks each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from browser.respondent import release_database
from surveyapp.demo import DEMO_PASSWORD, load_demo
from surveyapp.extensions import db
from surveyapp.models import ContactAttribute, Invitation, Response

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
SLOW = 30_000  # ms: a filtered results page of the whole demo, on a machine shared with other test runs
COCHAIR = "cochair@example.org"


def completed_in(area: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Response)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(ContactAttribute, ContactAttribute.contact_id == Invitation.contact_id)
        .where(ContactAttribute.name == "pct", ContactAttribute.value == area, Response.status == "completed")
    )


def sign_in(page) -> None:
    page.set_default_timeout(30_000)  # dashboards of the whole demo on a machine shared with other test runs
    page.goto("/login")
    page.get_by_label("Email address").fill(COCHAIR)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")


def fits_the_screen(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


def test_dashboards_fit_a_phone_and_filters_apply_on_change(app, web):
    load_demo(db.session)
    release_database()
    page = web.new_page(viewport=PHONE)
    sign_in(page)
    for path in ("/dashboards/", "/dashboards/gp-iapt/", "/dashboards/phb-interview/", "/dashboards/gp-iapt/exports"):
        page.goto(path)
        fits_the_screen(page)
        web.check(page)

    page.goto("/dashboards/gp-iapt/results")
    fits_the_screen(page)
    web.check(page)
    respondents = page.locator("#respondents")
    expect(respondents).to_have_text("20 completed responses.")
    expect(page.locator("#filters-hint")).to_be_visible()  # shown only when the script runs

    # Choosing a segment applies it: no Apply, no second box; focus stays on the list.
    segment = page.get_by_label("Segment")
    page.evaluate("() => { window.notReloaded = true; }")
    segment.focus()
    segment.select_option("pct=north")
    expect(page).to_have_url(re.compile(r"/results\?attr=pct&value=north$"), timeout=SLOW)
    expect(respondents).to_contain_text("in this filtered group")
    expect(segment).to_be_focused()
    assert page.evaluate("() => window.notReloaded === true")  # the results changed in place
    expect(page.locator(".app-chart").first).to_have_attribute("data-drawn", "true")
    fits_the_screen(page)
    web.check(page)

    # Dates typed as day, month and year apply once the year is complete; shown back in the same boxes.
    page.locator("#from-day").fill("1")
    page.locator("#from-month").fill("1")
    page.locator("#from-year").fill("2030")
    page.locator("#from-year").blur()
    expect(page).to_have_url(re.compile(r"from=2030-01-01"), timeout=SLOW)
    expect(respondents).to_have_text("0 completed responses in this filtered group.")
    expect(page.locator("#from-day")).to_have_value("1")
    web.check(page)

    # A date that does not exist: the page with its error summary, as without JavaScript.
    page.locator("#to-day").fill("31")
    page.locator("#to-month").fill("2")
    page.locator("#to-year").fill("2031")
    page.locator("#to-year").blur()
    expect(page).to_have_title(re.compile("^Error: "), timeout=SLOW)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The end date must be a real date")
    fits_the_screen(page)
    web.check(page)


def test_without_javascript_one_apply_filters_by_segment_and_date(app, web):
    load_demo(db.session)
    north = completed_in("north")
    release_database()
    page = web.new_page(viewport=PHONE, java_script_enabled=False)
    sign_in(page)
    page.goto("/dashboards/gp-iapt/results")
    page.get_by_label("Segment").select_option("pct=north")
    page.locator("#from-day").fill("1")
    page.locator("#from-month").fill("1")
    page.locator("#from-year").fill("2020")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"attr=pct&value=north&from=2020-01-01"))
    expect(page.get_by_label("Segment")).to_have_value("pct=north")
    expect(page.locator("#respondents")).to_contain_text("in this filtered group")
    assert north > 0
    fits_the_screen(page)
    web.check(page)
