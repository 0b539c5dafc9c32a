"""The editor's translations view in Chromium: the languages with what is missing, and the Urdu texts beside the
English ones (right to left in their boxes), one missing translation typed and saved, scanned by axe-core with the WCAG 2.2 AA tags."""

from __future__ import annotations

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect

from browser import harness
from browser.respondent import release_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def test_an_admin_reads_what_each_translation_is_missing(app, web, import_survey, wcag22):
    import_survey("languages")
    make_user("lead@example.org", "admin")
    release_database()
    page = web.new_page()
    page.goto("/login")
    page.fill("#email", "lead@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto("/admin/surveys/test-languages/editor")
    page.get_by_role("link", name="Translations (2 languages)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Translations")
    web.check(page)
    page.get_by_role("link", name="اردو").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Translation into")
    box = page.locator('tr[data-missing] input[lang="ur"], tr[data-missing] textarea[lang="ur"]').first
    expect(box).to_have_attribute("dir", "rtl")
    web.check(page)
    missing = page.locator("tr[data-missing]").count()
    box.fill("ترجمہ")
    page.get_by_role("button", name="Save the translations").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved in the draft")
    expect(page.locator("tr[data-missing]")).to_have_count(missing - 1)
    web.check(page)
