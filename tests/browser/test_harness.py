"""The browser checks themselves can fail: axe finds violations (also under a strict CSP), console errors count."""

from __future__ import annotations

import pytest

from browser.harness import run_axe

pytestmark = pytest.mark.browser

STRICT_CSP = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'"
FLAWED_PAGE = (
    "<!doctype html><html><head><title>Flawed</title></head><body><main><h1>Flawed</h1>"
    "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='><input type='text'>"
    "<script>document.title = 'inline script ran';</script></main></body></html>"
)


def serve(page, url: str, body: str, csp: str | None = None) -> None:
    headers = {"Content-Security-Policy": csp} if csp else {}
    page.route(url, lambda route: route.fulfill(status=200, headers=headers, content_type="text/html", body=body))


def test_axe_runs_and_finds_violations_under_a_csp_that_forbids_inline_scripts(web):
    page = web.new_page()
    serve(page, "http://csp.test/", FLAWED_PAGE, STRICT_CSP)
    page.goto("http://csp.test/")
    assert page.title() == "Flawed", "the CSP should have blocked the inline script"
    found = {v["id"] for v in run_axe(page)}
    assert {"image-alt", "label", "html-has-lang"} <= found
    assert any("Content Security Policy" in e for e in web.console_errors)
    web.console_errors.clear()


def test_uncaught_exceptions_and_console_errors_are_collected(web):
    page = web.new_page()
    serve(
        page,
        "http://errors.test/",
        "<!doctype html><html lang='en'><title>t</title><body>"
        "<script>console.error('broken'); undefinedFunction();</script></body></html>",
    )
    page.goto("http://errors.test/")
    with pytest.raises(AssertionError, match="broken"):
        web.assert_no_console_errors()
    assert any("undefinedFunction" in e for e in web.console_errors)
    web.console_errors.clear()


def test_axe_checks_pages_of_contexts_with_javascript_off(web):
    page = web.new_page(java_script_enabled=False)
    serve(page, "http://nojs.test/", FLAWED_PAGE)
    page.goto("http://nojs.test/")
    with pytest.raises(AssertionError, match="image-alt"):
        web.check(page)
