"""An admin revokes an invitation in a real Chromium: the invitations page, its Revoke button (a Flask-WTF POST
with the page's CSRF token), the confirmation, the dead link and the audit log's pages. Every page is scanned
by axe-core (web.check)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from browser.respondent import release_database
from surveyapp.demo import DEMO_PASSWORD, load_demo
from surveyapp.extensions import db
from surveyapp.models import Invitation, Survey
from surveyapp.services.links import invitation_token

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_admin_revokes_an_invitation_and_its_link_stops_working(app, web):
    load_demo(db.session)
    survey = db.session.scalar(select(Survey).where(Survey.slug == "gp-iapt"))
    first = db.session.scalar(
        select(Invitation)
        .where(Invitation.survey_id == survey.id, Invitation.completed_at.is_(None))
        .order_by(Invitation.id)
    )
    first_id, email, token = first.id, first.contact.email, invitation_token(first)
    release_database()

    page = web.new_page()
    page.goto("/login")
    page.get_by_label("Email address").press_sequentially("admin@example.org")
    page.get_by_label("Password", exact=True).press_sequentially(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/admin/surveys/gp-iapt/invitations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations")
    web.check(page)

    page.get_by_role("button", name=f"Revoke the invitation of {email}").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("is revoked")
    expect(page.get_by_role("button", name=f"Revoke the invitation of {email}")).to_have_count(0)
    web.check(page)

    respondent = web.new_page()
    response = respondent.goto(f"/s/{token}")
    assert response.status == 404
    web.expect_console_error("404")

    page.goto("/admin/audit?action=invitation.revoke")
    expect(page.locator("table")).to_contain_text(f"invitation:{first_id}")
    web.check(page)
    assert re.search(r"1 event\b", page.content())
