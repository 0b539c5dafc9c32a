"""Drafts and versions in Chromium: an admin starts the GP opinion survey from its template in the editor,
publishes and opens it; a GP answers it from the emailed link; the admin rewords a question, sees the
draft and the change list, publishes version 2; the GP's response keeps version 1. axe-core (WCAG 2.2 AA)
scans the editor's pages on the way."""

from __future__ import annotations

import re

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect
from sqlalchemy import select

from browser import harness
from browser.respondent import emailed_invitation, release_database
from surveyapp.extensions import db
from surveyapp.models import Response, Survey

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def test_gp_survey_from_its_template_answered_then_version_2_keeps_the_answers_on_version_1(app, web, mailbox, wcag22):
    make_user("lead@example.org", "admin")
    release_database()
    admin = web.new_page()
    admin.goto("/login")
    admin.fill("#email", "lead@example.org")
    admin.fill("#password", PASSWORD)
    admin.click("button:has-text('Sign in')")
    admin.get_by_role("link", name="Create a survey").click()
    admin.fill("#title", "GP views of therapies")
    admin.fill("#slug", "gp-views")
    admin.get_by_label(re.compile("GP opinion survey")).check()
    admin.get_by_role("button", name="Create the draft").click()
    expect(admin.locator("#draft-problems")).to_have_count(0)
    web.check(admin)
    admin.get_by_role("button", name="Publish").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Published: version 1.")
    admin.get_by_role("button", name="Open the survey").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("is now open")

    link = emailed_invitation(app, "gp-views", mailbox).text_link
    gp = web.new_page()
    gp.goto(link)
    expect(gp.get_by_role("heading", level=1)).to_have_text("GP views of therapies")
    gp.get_by_role("button", name="Start now").click()
    gp.get_by_role("radio", name="North PCT").check()
    gp.locator("#referrals").fill("0")
    gp.get_by_role("button", name="Continue").click()
    gp.get_by_role("radio", name="No").check()
    gp.get_by_role("button", name="Continue").click()
    expect(gp.get_by_role("heading", level=1)).to_have_text("Your views")  # the condition skipped a page
    gp.get_by_label("What works well about the service?").fill("Quick first appointments.")
    gp.get_by_role("group", name=re.compile("recommend the service")).get_by_role("radio", name="Yes").check()
    gp.get_by_role("button", name="Continue").click()
    gp.get_by_role("button", name="Submit answers").click()
    expect(gp.get_by_role("heading", level=1)).to_contain_text("Thank you")

    admin.get_by_role("link", name="Edit the questionnaire").click()
    expect(admin.get_by_text("No changes since version 1")).to_be_visible()
    admin.get_by_role("link", name="Edit “What works well about the service?”").click()
    admin.fill("#label", "What works well about the therapies service?")
    admin.get_by_role("button", name="Save the question").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Question saved")
    admin.get_by_role("link", name="Back to the editor").click()
    expect(admin.get_by_text("Respondents still get version 1 until you publish.")).to_be_visible()
    admin.get_by_role("link", name="Changes since version 1").click()
    expect(admin.locator("table")).to_contain_text(
        "Question ‘What works well about the service?’ reworded: ‘What works well about the therapies service?’"
    )
    reworded = admin.locator("tr", has_text="reworded")
    expect(reworded.locator('[data-side="before"]')).to_have_text("What works well about the service?")
    expect(reworded.locator('[data-side="after"]')).to_have_text("What works well about the therapies service?")
    web.check(admin)
    admin.get_by_role("link", name="Back to the editor").click()
    admin.get_by_role("button", name="Publish as the new version").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text(
        "Published: version 2. New respondents get it; earlier answers stay with version 1."
    )
    web.check(admin)

    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "gp-views"))
    assert [v.number for v in survey.versions] == [1, 2]
    response = db.session.scalar(select(Response).where(Response.survey_id == survey.id))
    assert response.status == "completed" and response.version_id == survey.versions[0].id
    release_database()
