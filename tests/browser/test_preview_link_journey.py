"""A shareable preview link in Chromium: an admin makes one in the editor; a reviewer in a fresh browser (not
signed in) opens it on a phone-sized screen (375 px), pages through with the engine's validation and
conditions, and nothing is stored; the admin revokes it and the reviewer's link says so. The phone-width
frame of the editor's own preview is checked too. axe-core (WCAG 2.2 AA) scans each page on the way."""

from __future__ import annotations

import re

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect
from sqlalchemy import func, select

from browser import harness
from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.models import Answer, Response

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def test_a_reviewer_without_an_account_pages_through_a_preview_link_on_a_phone_until_it_is_revoked(
    app, web, import_survey, wcag22
):
    import_survey("interview")
    make_user("lead@example.org", "admin")
    release_database()
    admin = web.new_page()
    admin.goto("/login")
    admin.fill("#email", "lead@example.org")
    admin.fill("#password", PASSWORD)
    admin.click("button:has-text('Sign in')")
    admin.goto("/admin/surveys/test-interview/editor")
    admin.get_by_role("link", name="On a phone (375 px)").click()
    frame = admin.frame_locator("iframe[title^='Preview of Interview test at phone width']")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Before we start")
    web.check(admin)
    admin.get_by_role("link", name="Back to the editor").click()
    admin.get_by_role("link", name="Links for reviewers").click()
    admin.get_by_label("Who it is for").fill("Practice manager")
    admin.get_by_role("button", name="Create preview link").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Preview link created")
    web.check(admin)
    link = admin.get_by_label("Preview link").input_value()
    path = re.fullmatch(r"https?://[^/]+(/preview/[A-Za-z0-9_-]{43})", link).group(1)  # SURVEYAPP_BASE_URL + path

    reviewer = web.new_page(viewport=PHONE)  # a fresh browser: no account, no cookies
    reviewer.goto(path)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Before we start")
    expect(reviewer.get_by_text("nothing you enter is stored")).to_be_visible()
    web.check(reviewer)
    reviewer.get_by_role("radio", name="Yes").check()
    reviewer.get_by_role("button", name="Continue").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("The service")
    reviewer.get_by_role("button", name="Continue").click()
    expect(reviewer.locator(".govuk-error-summary")).to_be_visible()  # the engine's validation, as respondents get
    web.expect_console_error("400")
    web.check(reviewer)
    reviewer.get_by_role("radio", name="No").check()
    expect(reviewer.get_by_label("Why not?")).to_be_visible()  # the condition within the page, live
    reviewer.get_by_label("Why not?").fill("Appointments run late")
    reviewer.get_by_role("button", name="Continue").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Anything else")
    reviewer.get_by_label("How many visits in the last year?").fill("4")
    reviewer.get_by_role("button", name="Continue").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("End of the preview")
    expect(reviewer.locator(".govuk-summary-list")).to_contain_text("Appointments run late")
    web.check(reviewer)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    release_database()

    admin.get_by_role("link", name="Back to the preview links").click()
    admin.get_by_role("button", name="Revoke the link for Practice manager").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("no longer works")
    expect(admin.locator("table")).to_contain_text("Revoked")
    web.check(admin)

    reviewer.goto(path)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("This preview link no longer works")
    web.expect_console_error("410")
    web.check(reviewer)
