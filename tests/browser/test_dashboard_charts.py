"""In real Chromium: the charts draw from their JSON blocks, hostile labels stay text, and the CSP blocks nothing.

Runs on the shared browser fixtures (one Chromium per run, the app's own
Content-Security-Policy from surveyapp/security.py, axe on each page).
"""

from __future__ import annotations

import pytest
from dashboard_data import add_contact, respond
from playwright.sync_api import expect
from test_dashboard_views import HOSTILE_LABEL, HOSTILE_YAML, PASSWORD

from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.services.users import create_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_charts_draw_and_hostile_labels_stay_text(app, import_survey, web):
    survey = import_survey("hostile", text=HOSTILE_YAML)
    for i in range(9):
        respond(survey, {"pick": "bad" if i % 2 else "good", "said": "<b>bold</b>"}, add_contact(f"b{i}@example.org"))
    create_user(db.session, "analyst@example.org", "analyst", PASSWORD)
    db.session.commit()
    release_database()  # end the test's transaction: SQLite would keep the live server waiting

    page = web.new_page()
    warnings, dialogs = [], []  # CSP reports show as console warnings as well as errors
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/login")
    page.fill("#email", "analyst@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).not_to_have_url("/login")
    page.goto("/dashboards/hostile/results?exact=1")
    page.wait_for_selector("#chart-pick[data-drawn=true] svg", timeout=20_000)
    tick_labels = page.locator("#chart-pick .ytick text").all_text_contents()
    assert any(HOSTILE_LABEL in label for label in tick_labels), tick_labels  # shown as text
    assert page.locator("#chart-pick img").count() == 0 and page.locator("body img[src=x]").count() == 0
    web.check(page)
    page.goto("/dashboards/hostile/report")
    page.wait_for_selector("#chart-pick[data-drawn=true] svg", timeout=20_000)
    web.check(page)
    assert dialogs == []
    assert not warnings, warnings
