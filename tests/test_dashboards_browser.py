"""In real Chromium: the charts draw from their JSON blocks, hostile labels stay text, and a strict CSP blocks nothing."""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from conftest import need
from surveyapp.auth.users import create_user
from surveyapp.extensions import db
from dashboard_data import add_contact, respond
from test_dashboard_views import HOSTILE_LABEL, HOSTILE_YAML, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
# The policy pages get once issue 4's headers are in: scripts only from this site (or nonce'd).
NONCE = "dashboard-test-nonce"
POLICY = (f"default-src 'self'; script-src 'self' 'nonce-{NONCE}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


@pytest.fixture
def live_server(app):
    app.jinja_env.globals["csp_nonce"] = lambda: NONCE  # the GOV.UK template's one inline script carries it

    @app.after_request
    def _policy(response):
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_charts_draw_and_hostile_labels_stay_text(app, import_survey, live_server):
    need(os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM} (scripts/install_system_deps.sh)")
    playwright = pytest.importorskip("playwright.sync_api")
    survey = import_survey("hostile", text=HOSTILE_YAML)
    for i in range(9):
        respond(survey, {"pick": "bad" if i % 2 else "good", "said": "<b>bold</b>"}, add_contact(f"b{i}@example.org"))
    create_user(db.session, "analyst@example.org", "analyst", PASSWORD)
    db.session.commit()
    db.session.remove()  # end the test's transaction: SQLite would keep the live server waiting
    problems, dialogs = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{live_server}/login")
        page.fill("#email", "analyst@example.org")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.goto(f"{live_server}/dashboards/hostile/results?exact=1")
        page.wait_for_selector("#chart-pick[data-drawn=true] svg", timeout=20_000)
        tick_labels = page.locator("#chart-pick .ytick text").all_text_contents()
        assert any(HOSTILE_LABEL in label for label in tick_labels), tick_labels  # shown as text
        assert page.locator("#chart-pick img").count() == 0 and page.locator("body img[src=x]").count() == 0
        page.goto(f"{live_server}/dashboards/hostile/report")
        page.wait_for_selector("#chart-pick[data-drawn=true] svg", timeout=20_000)
        browser.close()
    assert dialogs == []
    assert not problems, problems
