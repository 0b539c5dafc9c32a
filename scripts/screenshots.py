"""Save PNGs of the key pages into docs/screenshots/ (`make screenshots`), for the README.

Loads the demo data into a temporary SQLite database, serves the app on
127.0.0.1 and drives Debian's Chromium with the same set-up as the browser
tests (tests/browser/harness.py): a survey page with an error, check your
answers, the response-rate dashboard, a results dashboard and the interview
list (the five pages issue 7 asks the README to show). A page that cannot be
taken is an error (exit status 1), not a skipped file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the app, and the browser set-up the tests use

OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1100, "height": 800}
# The dashboards' first charts, not their whole length.
RATES_VIEWPORT, RESULTS_VIEWPORT = {"width": 1100, "height": 1300}, {"width": 1100, "height": 2300}
# (file name, account to sign in with, endpoint, its URL arguments, viewport, full page?)
STAFF_PAGES = [
    ("response-rates.png", "cochair@example.org", "dashboards.rates", {"slug": "gp-iapt"}, RATES_VIEWPORT, False),
    ("results.png", "cochair@example.org", "dashboards.results", {"slug": "gp-iapt"}, RESULTS_VIEWPORT, False),
    ("interviews.png", "volunteer@example.org", "interviews.index", {}, VIEWPORT, True),
]


def main() -> int:
    from browser.harness import CHROMIUM_PATH, LiveServer, chromium_available, launch_chromium
    from playwright.sync_api import expect, sync_playwright

    if not chromium_available():
        print(f"Chromium not found at {CHROMIUM_PATH}: run `make system-deps`", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="surveyapp-screenshots-") as tmp:
        os.environ["SURVEYAPP_ENV"] = "development"
        os.environ["SURVEYAPP_INSTANCE_PATH"] = tmp
        app, link = demo_app(Path(tmp))
        OUT.mkdir(parents=True, exist_ok=True)
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            # The link was built before the server existed: point it at the server.
            link = server.url + link[link.index("/s/") :]
            respondent_pages(browser, server.url, link, expect)
            for filename, email, endpoint, args, viewport, full_page in STAFF_PAGES:
                staff_page(app, browser, server.url, filename, email, endpoint, args, viewport, full_page, expect)
            browser.close()
    return 0


def demo_app(tmp: Path):
    """The app on a fresh SQLite file with the demo loaded; a personal link of a GP who has not answered."""
    from sqlalchemy import select

    from surveyapp import create_app
    from surveyapp.demo import load_demo
    from surveyapp.extensions import db
    from surveyapp.models import Invitation, Response, Survey
    from surveyapp.services.links import invitation_link

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'demo.db'}",
            "SECRET_KEY": os.urandom(32).hex(),
            "SURVEYAPP_BASE_URL": "http://127.0.0.1",
        }
    )
    with app.app_context():
        db.create_all()
        load_demo(db.session)
        db.session.commit()
        survey_ids = dict(db.session.execute(select(Survey.slug, Survey.id)).all())
        answered = select(Response.invitation_id).where(Response.invitation_id.is_not(None))
        invitation = db.session.scalars(
            select(Invitation)
            .where(
                Invitation.survey_id == survey_ids["gp-iapt"],
                Invitation.id.not_in(answered),
                Invitation.opted_out_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.id)
        ).first()
        link = invitation_link(invitation)
        db.session.commit()
    return app, link


def respondent_pages(browser, base_url: str, link: str, expect) -> None:
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("radio", name="North PCT").check()
    page.locator("#referrals").fill("about ten")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    save(page, "survey-page-with-error.png")
    page.locator("#referrals").fill("10")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("checkbox", name="Online referral form").check()
    page.get_by_role("checkbox", name="Suggested the patient refers themselves").check()
    page.get_by_role("radio", name="Easy", exact=True).check()
    page.locator("#last_referral-day").fill("14")
    page.locator("#last_referral-month").fill("10")
    page.locator("#last_referral-year").fill("2026")
    page.get_by_role("radio", name="6").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What works well about the service?").fill("Patients like being able to refer themselves.")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    save(page, "check-your-answers.png")
    context.close()


def staff_page(app, browser, base_url, filename, email, endpoint, args, viewport, full_page, expect) -> None:
    from flask import url_for

    from surveyapp.demo import DEMO_PASSWORD

    with app.test_request_context():
        path = url_for(endpoint, **args)  # a renamed endpoint fails here, loudly
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(path)
    charts = page.locator(".app-chart")
    for i in range(charts.count()):  # every Plotly chart drawn before the picture is taken
        expect(charts.nth(i).locator("svg.main-svg").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    save(page, filename, full_page)
    context.close()


def save(page, filename: str, full_page: bool = True) -> None:
    page.screenshot(path=OUT / filename, full_page=full_page)
    print(f"saved docs/screenshots/{filename}")


if __name__ == "__main__":
    sys.exit(main())
