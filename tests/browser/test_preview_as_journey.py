""" "Preview as" in Chromium: an admin previews a draft with piped text as one of the survey's contacts and with
typed attribute values, with JavaScript on and off; the attribute condition shows its page, hostile answers stay
text, and nothing is stored. axe-core (WCAG 2.2 AA) scans the form, its error state and the preview-as pages."""

from __future__ import annotations

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect
from sqlalchemy import func, select

from browser import harness
from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.models import Answer, ContactAttribute, Response

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_admin_previews_the_draft_as_a_contact(app, web, import_survey, invite, wcag22, javascript):
    survey = import_survey("piping", status="draft")
    invitation, _, _ = invite(survey)
    db.session.add(ContactAttribute(contact_id=invitation.contact_id, name="area", value="north"))
    db.session.add(ContactAttribute(contact_id=invitation.contact_id, name="first_name", value="Bea"))
    db.session.commit()
    contact_label = f"{invitation.contact.email}"
    make_user("lead@example.org", "admin")
    release_database()
    admin = web.new_page(java_script_enabled=javascript)
    admin.goto("/login")
    admin.fill("#email", "lead@example.org")
    admin.fill("#password", PASSWORD)
    admin.click("button:has-text('Sign in')")
    admin.goto("/admin/surveys/piping/editor")
    admin.get_by_role("link", name="Try it as a contact").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Try the preview as a contact")
    web.check(admin)

    admin.get_by_label("area").fill("x" * 501)
    admin.get_by_role("button", name="Preview as this contact").click()
    expect(admin.locator(".govuk-error-summary")).to_contain_text("500 characters or fewer")
    web.expect_console_error("400")  # the form's error page answers 400
    web.check(admin)

    admin.get_by_label("area").fill("")
    admin.get_by_label("One of the survey's contacts").select_option(label=contact_label)
    admin.get_by_label("first_name").fill("<i>Cy</i>")
    admin.get_by_role("button", name="Preview as this contact").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Your pharmacy")
    expect(admin.get_by_role("status")).to_contain_text(
        "Previewing as a contact with area: north; first_name: <i>Cy</i>."
    )
    web.check(admin)
    admin.get_by_role("radio", name="High Street <b>Pharmacy</b>").check()
    admin.get_by_label("What do you call it?").fill('<script>alert("x")</script>')
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Your visits to High Street <b>Pharmacy</b>")
    expect(admin.get_by_text('you call it “<script>alert("x")</script>”')).to_be_visible()
    expect(admin.get_by_text("Count the visits in north only.")).to_be_visible()
    web.check(admin)
    admin.get_by_label("How many times").fill("3")
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("In the north")
    expect(admin.get_by_text("Do you take the bus to High Street <b>Pharmacy</b>, <i>Cy</i>?")).to_be_visible()
    web.check(admin)
    admin.get_by_role("radio", name="Yes").check()
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("End of the preview")
    web.check(admin)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    release_database()
