"""In real Chromium: the Content-Security-Policy blocks nothing of our own pages, and the nonce'd inline script runs."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from auth_helpers import PASSWORD, assign, make_user
from conftest import need

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_pages_run_under_the_policy_without_violations(app, import_survey, live_server):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    need(chromium is not None, "Chromium is not installed (scripts/install_system_deps.sh)")
    playwright = pytest.importorskip("playwright.sync_api")
    survey = import_survey("interview")
    assign(make_user("vol@example.org", "volunteer"), survey)
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{live_server}/login")
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
        browser.close()
    csp = [m for m in problems if "Content Security Policy" in m or "Refused to" in m]
    assert not csp, csp
    assert not problems, problems
