"""Browser fixtures: one Chromium per session, a live server, a mailbox and fresh browser contexts per test.

A test gets `web` (see Web below). Every page it checks is scanned by axe-core
for WCAG 2.1 A/AA violations; any console error or uncaught exception in any
page fails the test; a failing test leaves a screenshot and the HTML of each
open page in test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from conftest import need

from browser.harness import (
    ROOT,
    JavaScriptOffScanner,
    LiveServer,
    assets_built,
    axe_available,
    chromium_available,
    format_violations,
    launch_chromium,
    run_axe,
)

ARTEFACTS = ROOT / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000


def _assertions_wait_as_long_as_actions() -> None:
    """Playwright's `expect` waits 5 s by default, half what an action waits here: on the 2-core CI machine,
    with both passes' browsers drawing charts at once, a page that is right can take longer than 5 s to be so."""
    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


try:
    _assertions_wait_as_long_as_actions()
except ImportError:  # Playwright missing: the browser fixtures skip locally and fail in CI (need())
    pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_report = report
    return report


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (launching it takes about a second).

    Playwright's sync API allows one instance at a time: every browser test uses this
    fixture (they all live under tests/browser/) rather than starting its own."""
    need(chromium_available(), "Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    need(axe_available(), "node_modules/axe-core is missing (npm ci)")
    need(assets_built(), "surveyapp/static/dist is not built (make assets)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test's app (same database as the `app` fixture) served on 127.0.0.1, CSRF protection on
    (the browser posts the forms' tokens as anyone's would)."""
    app.config["WTF_CSRF_ENABLED"] = True
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def mailbox(smtp):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that the app's mail worker delivers to (tests/conftest.py)."""
    return smtp


class Web:
    """The browser as one test uses it: contexts opened on the live server, checked as they go."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url = browser, base_url
        self.contexts = []
        self.javascript_off = set()
        self._javascript_off_scanner = JavaScriptOffScanner(browser)
        self.console_errors: list[str] = []
        self.pages_checked = 0

    def new_page(self, **context_options):
        """A page in a fresh context (own cookies): like a new browser window opened from scratch."""
        context = self.browser.new_context(base_url=self.base_url, **context_options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.contexts.append(context)
        if context_options.get("java_script_enabled") is False:
            self.javascript_off.add(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.console_errors.append(f"{page.url}: console error: {msg.text}"),
        )
        page.on("pageerror", lambda exc: self.console_errors.append(f"{page.url}: uncaught exception: {exc}"))
        return page

    def close(self, page) -> None:
        """Close the page's whole context, as a person closing the browser."""
        context = page.context
        context.close()
        self.contexts.remove(context)

    def check(self, page) -> None:
        """Zero axe-core violations (WCAG 2.1 A and AA) and no console errors so far."""
        if page.context in self.javascript_off:
            violations = self._javascript_off_scanner.scan(page)
        else:
            violations = run_axe(page)
        assert not violations, format_violations(page.url, violations)
        self.pages_checked += 1
        self.assert_no_console_errors()

    def expect_console_error(self, text: str) -> None:
        """An error the page is meant to cause (a 404 status logs one): it must be there; it is then cleared."""
        expected = [e for e in self.console_errors if text in e]
        assert expected, f"expected a console error containing {text!r}, got {self.console_errors}"
        self.console_errors = [e for e in self.console_errors if text not in e]

    def assert_no_console_errors(self) -> None:
        assert not self.console_errors, "errors in the browser console:\n" + "\n".join(self.console_errors)

    def save_artefacts(self, name: str) -> None:
        ARTEFACTS.mkdir(exist_ok=True)
        for c, context in enumerate(self.contexts):
            for p, page in enumerate(context.pages):
                stem = f"{name}-{c}-{p}"
                try:
                    page.screenshot(path=ARTEFACTS / f"{stem}.png", full_page=True)
                    (ARTEFACTS / f"{stem}.html").write_text(f"<!-- {page.url} -->\n" + page.content(), encoding="utf-8")
                except Exception as exc:  # a dead page must not hide the test's own failure
                    (ARTEFACTS / f"{stem}.txt").write_text(f"could not save {page.url}: {exc}\n")

    def close_all(self) -> None:
        self._javascript_off_scanner.close()
        for context in self.contexts:
            context.close()
        self.contexts = []


@pytest.fixture
def web(browser, live_server, request):
    web = Web(browser, live_server.url)
    yield web
    report = getattr(request.node, "browser_call_report", None)
    if report is not None and report.failed:
        web.save_artefacts(re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid))
    web.close_all()
    if report is not None and report.passed:
        web.assert_no_console_errors()
