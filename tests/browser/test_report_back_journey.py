"""A co-chair's report back in Chromium, start to finish, with axe-core (WCAG 2.2 AA) on every page.

The co-chair signs in, starts a report back from the demo GP survey, writes a
narrative, adds two charts (the response rate, the rate by area) and a table of
outside figures, three actions, sees the draft autosaved, finalises it, downloads
its PDF (checked with pypdf), and makes a share link. A commissioner with no
account opens the link; the co-chair starts the next sheet, which shows the open
actions under "what happened since".
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from browser import harness
from browser.respondent import release_database
from surveyapp.demo import DEMO_PASSWORD, load_demo
from surveyapp.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def test_cochair_builds_finalises_prints_and_shares_a_report_back(app, web, live_server, wcag22, tmp_path):
    load_demo(db.session)
    db.session.commit()
    release_database()  # end the test's transaction: SQLite would keep the live server waiting

    page = web.new_page()
    page.goto("/login")
    page.fill("#email", "cochair@example.org")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.get_by_role("link", name="Report backs").first.click()
    web.check(page)
    page.get_by_role("link", name="Start a report back").click()
    page.select_option("#survey", "gp-iapt")
    page.fill("#title", "December report back")
    page.fill("#group_name", "Journey group")
    page.fill("#meeting_date", "2026-12-10")
    page.fill("#attendees", "Ann Example, Raj Sample, a commissioner")
    web.check(page)
    page.get_by_role("button", name="Create report back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("December report back")

    def add_section(heading: str, narrative: str, kind: str = "", by: str = "", outside: tuple | None = None):
        page.fill("#new-heading", heading)
        page.fill("#new-narrative", narrative)
        if kind:
            page.select_option("#new-figure_kind", kind)
        if by:
            page.select_option("#new-by", by)
        if outside:
            page.locator("#add-section ~ form summary").click()
            page.fill("#new-outside_title", outside[0])
            page.fill("#new-outside_source", outside[1])
            page.fill("#new-outside_table", outside[2])
        page.get_by_role("button", name="Add section").click()

    add_section("Who answered", "We asked **206 GPs**.\n\n- most know the service", "response_rate")
    add_section("By area", "The east answered least.", "rate_by_area", "pct")
    add_section(
        "Elsewhere",
        "Figures from the commissioners.",
        outside=("Moving off benefits", "PCT return, April to June", "Area, People\nHOB, 1\nSBPCT, 11\nBEN, 5"),
    )
    for what, whom, status in (
        ("Publish waiting times", "Commissioners", "promised"),
        ("Evening groups in the east", "Service manager", "open"),
        ("Send results to practices", "Co-chairs", "done"),
    ):
        page.fill("#newa-what", what)
        page.fill("#newa-of_whom", whom)
        page.select_option("#newa-status", status)
        page.get_by_role("button", name="Add action").click()
    # Autosave: typing in a section saves the draft without pressing Save.
    first_heading = page.locator("input[id$='-heading']").first
    first_heading.fill("Who answered the GP survey")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=15_000)
    web.check(page)

    page.get_by_role("button", name="Finalise").click()
    expect(page.locator("#report-status")).to_have_text("Final")
    web.check(page)
    page.get_by_role("link", name="Print view").click()
    expect(page.locator(".app-chart[data-drawn=true]")).to_have_count(2, timeout=20_000)
    expect(page.locator("main")).to_contain_text("Who answered the GP survey")
    expect(page.locator("body")).not_to_contain_text("Sign out")
    web.check(page)
    # The PDF link, fetched with the co-chair's own cookies (printing takes seconds: no click-and-wait).
    href = page.get_by_role("link", name="Download PDF").get_attribute("href")
    response = page.request.get(href, timeout=120_000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages))
    assert "December report back" in text and "206" in text and "SBPCT" in text and "Publish waiting times" in text
    page.get_by_role("link", name="Back to editing").click()

    page.fill("#label", "Commissioner")
    page.fill("#days", "14")
    page.get_by_role("button", name="Create share link").click()
    link = page.locator("#share-link").input_value()
    web.check(page)

    commissioner = web.new_page()
    commissioner.goto(link, timeout=60_000)
    expect(commissioner.get_by_role("heading", level=1)).to_have_text("December report back")
    expect(commissioner.locator("body")).not_to_contain_text("Sign out")
    expect(commissioner.locator(".app-chart[data-drawn=true]")).to_have_count(2, timeout=20_000)
    web.check(commissioner)

    page.get_by_role("link", name="Back to the report back").click()
    page.get_by_role("button", name="Duplicate as the next report back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("December report back (next)")
    page.get_by_role("link", name="Print view").click()
    since = page.locator("#since")
    expect(since).to_contain_text("Publish waiting times")
    expect(since).to_contain_text("Evening groups in the east")
    expect(since).not_to_contain_text("Send results to practices")
    web.check(page)
