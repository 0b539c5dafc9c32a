"""An admin changes a survey's reminders and closing date on its page in Chromium (JavaScript on and off): a
refused value shows the error summary and keeps what was typed, the corrected form saves, and axe-core (WCAG 2.2
AA) scans the page in both states; then the respondent's start page names who runs the survey, scanned too, and
the editor's details page refuses a privacy notice that is not a web address."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect
from sqlalchemy import select

from browser import harness
from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Survey

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_admin_changes_reminders_and_closing_date_on_the_survey_page(app, web, wcag22, import_survey, javascript):
    survey = import_survey("wording")
    key = survey.public_key
    make_user("admin@example.org", "admin")
    release_database()
    closes = date.today() + timedelta(days=60)

    page = web.new_page(java_script_enabled=javascript)
    page.goto("/login")
    page.fill("#email", "admin@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto("/admin/surveys/test-wording")
    expect(page.get_by_role("heading", name="Survey settings")).to_be_visible()
    web.check(page)

    page.get_by_label("Most reminders each person gets").fill("11")
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill(str(closes.year))
    page.get_by_role("button", name="Save survey settings").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The number of reminders must be a whole number from 0 to 10")
    expect(summary).to_contain_text("The closing date must be a real date")
    expect(page.get_by_label("Most reminders each person gets")).to_have_value("11")
    expect(page.get_by_label("Day", exact=True)).to_have_value("31")
    web.expect_console_error("400")  # a form with errors answers 400
    web.check(page)

    summary.get_by_role("link", name="The number of reminders must be a whole number from 0 to 10").click()
    page.get_by_label("Most reminders each person gets").fill("4")
    page.get_by_label("Days between reminders").fill("14")
    page.get_by_label("Day", exact=True).fill(str(closes.day))
    page.get_by_label("Month", exact=True).fill(str(closes.month))
    page.get_by_role("button", name="Save survey settings").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Survey settings saved")
    expect(page.locator(".govuk-summary-list")).to_contain_text("4 at most, 14 days apart")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"{closes.day} {closes:%B %Y}")
    web.check(page)

    respondent = web.new_page(java_script_enabled=javascript)
    respondent.goto(f"/p/{key}")
    expect(respondent.locator("#run-by")).to_have_text(
        "This survey is run by Northtown <script>alert('run_by')</script> Action Group."
    )
    expect(respondent.locator("#contact")).to_contain_text("survey@example.org <i>or</i> 01632 960 123")
    expect(respondent.get_by_role("link", name="read the privacy notice")).to_have_attribute(
        "href", 'https://example.org/privacy?a=1&b="2"'
    )
    web.check(respondent)

    # The wording is edited in the editor's details page: a privacy notice that is not a web address is refused.
    page.goto("/admin/surveys/test-wording/editor/details")
    expect(page.get_by_label("Who is running the survey")).to_have_value(
        "Northtown <script>alert('run_by')</script> Action Group"
    )
    web.check(page)
    page.get_by_label("Privacy notice (a web address)").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the privacy notice’s web address")
    expect(page.get_by_label("Privacy notice (a web address)")).to_have_value("javascript:alert(1)")
    web.expect_console_error("400")
    web.check(page)

    db.session.expire_all()
    saved = db.session.scalar(select(Survey).where(Survey.slug == "test-wording"))
    assert (saved.reminder_max, saved.reminder_interval_days, saved.closes_on) == (4, 14, closes)
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.survey_id == saved.id)))
    assert {"survey.reminder_max", "survey.reminder_interval_days", "survey.closes_on"} <= actions
