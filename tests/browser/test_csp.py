"""In real Chromium: the Content-Security-Policy blocks nothing of our own pages, and the nonce'd inline script runs."""

from __future__ import annotations

import pytest
from auth_helpers import PASSWORD, assign, make_user

from browser.respondent import release_database

pytestmark = pytest.mark.browser


def test_pages_run_under_the_policy_without_violations(app, import_survey, web):
    survey = import_survey("interview")
    assign(make_user("vol@example.org", "volunteer"), survey)
    release_database()
    page = web.new_page()
    # web collects console errors (and fails the test on any); warnings count here too.
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto("/login")
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")  # the nonce'd script ran
    page.fill("#email", "vol@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/interviews/")
    page.click("a:has-text('Start a new interview')")
    page.fill("#participant_code", "PHB-1")
    page.click("button:has-text('Start interview')")
    page.wait_for_url("**/page/consent")
    page.check("input[name=agree][value=yes]")
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/page/service")
    page.click("button:has-text('Continue')")  # nothing chosen: the error summary, focused by GOV.UK's JS
    page.wait_for_selector(".govuk-error-summary")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login")
    web.close(page)
    csp = [m for m in problems if "Content Security Policy" in m or "Refused to" in m]
    assert not csp, csp
    assert not problems, problems
