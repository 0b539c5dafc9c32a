"""Shared lists of answers in Chromium, with JavaScript off: the lists page, a list's page (edited once for two
questions) and a question's page that uses the list, then its own copy; axe-core (WCAG 2.2 AA) on each."""

from __future__ import annotations

import re

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect

from browser import harness
from browser.respondent import release_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def test_an_admin_edits_a_shared_list_once_and_gives_a_question_its_own_answers(app, web, import_survey, wcag22):
    import_survey("choice_lists", status="draft")
    make_user("lead@example.org", "admin")
    release_database()
    admin = web.new_page(java_script_enabled=False)
    admin.goto("/login")
    admin.fill("#email", "lead@example.org")
    admin.fill("#password", PASSWORD)
    admin.click("button:has-text('Sign in')")
    admin.goto("/admin/surveys/test-choice-lists/editor")
    admin.get_by_role("link", name="Shared lists of answers").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Shared lists of answers")
    web.check(admin)
    admin.get_by_role("link", name=re.compile(r"^frequency")).click()
    admin.get_by_label("Answers, one a line").fill("never = Never\nmonthly = Once a month\nweekly = Weekly\nDaily")
    admin.get_by_role("button", name="Save the list").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("saved")
    web.check(admin)
    admin.get_by_role("link", name="How often do you see your GP?").click()
    expect(admin.locator("#choices")).to_contain_text("Once a month")
    web.check(admin)
    admin.get_by_role("button", name="Give this question its own answers").click()
    expect(admin.get_by_label("Answers, one a line")).to_have_value(
        "never = Never\nmonthly = Once a month\nweekly = Weekly\ndaily = Daily"
    )
    expect(admin.get_by_role("button", name="Make these answers a shared list")).to_be_visible()
    web.check(admin)
