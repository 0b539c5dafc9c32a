"""Issue 17's whole journey in Chromium, with JavaScript on and off: an admin builds the four-page GP opinion
survey from a blank questionnaire (a page condition written by the guided builder), previews it at phone
width, publishes and opens it, uploads three GPs and invites them; a GP answers from the emailed link (the
condition shows the page it guards); the admin rewords a question, reads the change list, publishes version 2,
and the GP's response keeps version 1. axe-core (WCAG 2.2 AA) scans the pages on the way."""

from __future__ import annotations

import re

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect
from smtp_sink import body_text
from sqlalchemy import select

from browser import harness
from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.models import Response, Survey

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GPS = "email,name,pct\ngp.one@practice.example.org,Dr One,north\ngp.two@practice.example.org,Dr Two,south\n"
GPS += "gp.three@practice.example.org,Dr Three,east\n"


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


def _add_question(page, page_name: str, page_title: str, qtype: str, label: str, choices: str | None = None):
    page.select_option(f"#add-{page_name}-qtype", qtype)
    page.fill(f"#add-{page_name}-label", label)
    page.get_by_role("button", name=f"Add the question to page “{page_title}”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the question")
    if choices is not None:
        page.fill("#choices", choices)
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Question saved")
    page.get_by_role("link", name="Back to the editor").click()


def _add_page(page, title: str) -> str:
    page.fill("#new-page-title", title)
    page.get_by_role("button", name="Add the page").click()
    section = page.locator("section.govuk-summary-card", has_text=title)
    expect(section).to_be_visible()
    return section.get_attribute("id").removeprefix("page-")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_admin_builds_the_gp_survey_from_blank_invites_three_gps_and_publishes_version_2(
    app, web, mailbox, wcag22, javascript
):
    make_user("lead@example.org", "admin")
    release_database()
    admin = web.new_page(java_script_enabled=javascript)
    admin.goto("/login")
    admin.fill("#email", "lead@example.org")
    admin.fill("#password", PASSWORD)
    admin.click("button:has-text('Sign in')")
    admin.get_by_role("link", name="Create a survey").click()
    admin.fill("#title", "GP views of talking therapies")
    admin.fill("#slug", "gp-from-blank")
    admin.get_by_label("A blank questionnaire").check()
    admin.get_by_role("button", name="Create the draft").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("GP views of talking therapies")

    # Page 1, renamed; then three pages added, each with its questions.
    admin.get_by_role("link", name="Rename or set a condition for page “Page 1”").click()
    admin.fill("#title", "About your practice")
    admin.get_by_role("button", name="Save the page").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Page saved")
    admin.get_by_role("link", name="Back to the editor").click()
    _add_question(
        admin,
        "page_1",
        "About your practice",
        "single_choice",
        "Which area is your practice in?",
        "north = North PCT\nsouth = South PCT\neast = East PCT",
    )
    _add_question(admin, "page_1", "About your practice", "integer", "How many patients did you refer last month?")
    knowing = _add_page(admin, "Knowing about the service")
    _add_question(admin, knowing, "Knowing about the service", "yes_no", "Did you know how to refer patients?")
    referring = _add_page(admin, "Referring patients")
    _add_question(
        admin,
        referring,
        "Referring patients",
        "single_choice",
        "How easy is it to refer a patient?",
        "easy = Easy\nneither = Neither easy nor difficult\ndifficult = Difficult",
    )
    views = _add_page(admin, "Your views")
    _add_question(admin, views, "Your views", "long_text", "What works well about the service?")
    expect(admin.locator("section.govuk-summary-card")).to_have_count(4)
    expect(admin.locator("#draft-problems")).to_have_count(0)
    web.check(admin)

    # The guided builder writes the page condition: "Referring patients" only for those who knew how.
    admin.get_by_role("link", name="Rename or set a condition for page “Referring patients”").click()
    admin.select_option("#rule_question_1", label="Did you know how to refer patients?")
    admin.select_option("#rule_comparison_1", "=")
    admin.fill("#rule_value_1", "yes")
    admin.get_by_role("button", name="Write the condition").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Page saved")
    expect(admin.locator("#relevant")).to_have_value(re.compile(r"^\$\{did_you_know\w*\} = 'yes'$"))
    web.check(admin)
    admin.get_by_role("link", name="Back to the editor").click()

    # Preview on a phone: the questionnaire in a 375 px frame, nothing stored.
    admin.get_by_role("link", name="On a phone (375 px)").click()
    frame = admin.frame_locator("iframe.app-preview-frame")
    expect(frame.get_by_role("heading", level=1)).to_have_text("About your practice")
    assert admin.locator("iframe.app-preview-frame").get_attribute("width") == "375"
    web.check(admin)
    admin.go_back()

    admin.get_by_role("button", name="Publish").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Published: version 1.")
    admin.get_by_role("button", name="Open the survey").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("is now open")

    # Three GPs from a CSV, invited from the invitations page; the worker sends the three emails.
    admin.goto("/admin/contacts/upload")
    admin.set_input_files("#file", files=[{"name": "gps.csv", "mimeType": "text/csv", "buffer": GPS.encode()}])
    admin.fill("#list_name", "GPs")
    admin.get_by_role("button", name="Upload").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Contacts imported")
    admin.goto("/admin/surveys/gp-from-blank/invitations")
    admin.get_by_label("Contacts from").select_option(label="The list “GPs”")
    admin.get_by_role("button", name="Check who would be invited").click()
    expect(admin.locator("#check-count")).to_contain_text("3 contact(s) not invited yet")
    admin.get_by_role("button", name="Invite these 3 contact(s)").click()
    admin.get_by_role("button", name="Send invitations").click()
    expect(admin.locator(".govuk-notification-banner").first).to_contain_text("3 invitation email(s) queued")
    web.check(admin)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "sent 3," in result.output, result.output
    release_database()
    messages = mailbox.messages
    assert sorted(m["To"] for m in messages) == sorted(line.split(",")[0] for line in GPS.splitlines()[1:])
    link_pattern = re.escape(app.config["SURVEYAPP_BASE_URL"]) + r"/s/[A-Za-z0-9_-]{43}"
    link = re.search(link_pattern, body_text(next(m for m in messages if m["To"].startswith("gp.one")))).group(0)

    # A GP answers from the emailed link; the condition shows "Referring patients" after a yes.
    gp = web.new_page(java_script_enabled=javascript)
    gp.goto(link)
    expect(gp.get_by_role("heading", level=1)).to_have_text("GP views of talking therapies")
    gp.get_by_role("button", name="Start now").click()
    gp.get_by_role("radio", name="North PCT").check()
    gp.get_by_label("How many patients did you refer last month?").fill("4")
    gp.get_by_role("button", name="Continue").click()
    gp.get_by_role("radio", name="Yes").check()
    gp.get_by_role("button", name="Continue").click()
    expect(gp.get_by_role("heading", level=1)).to_have_text("Referring patients")
    gp.get_by_role("radio", name="Easy", exact=True).check()
    gp.get_by_role("button", name="Continue").click()
    gp.get_by_label("What works well about the service?").fill("Quick first appointments.")
    gp.get_by_role("button", name="Continue").click()
    web.check(gp)
    gp.get_by_role("button", name="Submit answers").click()
    expect(gp.get_by_role("heading", level=1)).to_contain_text("Thank you")

    # Version 2: a question reworded, the change list side by side, published; the answer keeps version 1.
    admin.goto("/admin/surveys/gp-from-blank/editor")
    admin.get_by_role("link", name="Edit “What works well about the service?”").click()
    admin.fill("#label", "What works well about the talking therapies service?")
    admin.get_by_role("button", name="Save the question").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Question saved")
    admin.get_by_role("link", name="Back to the editor").click()
    admin.get_by_role("link", name="Changes since version 1").click()
    reworded = admin.locator("tr", has_text="reworded")
    expect(reworded.locator('[data-side="before"]')).to_have_text("What works well about the service?")
    expect(reworded.locator('[data-side="after"]')).to_have_text("What works well about the talking therapies service?")
    web.check(admin)
    admin.get_by_role("link", name="Back to the editor").click()
    admin.get_by_role("button", name="Publish as the new version").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Published: version 2.")

    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "gp-from-blank"))
    assert [v.number for v in survey.versions] == [1, 2]
    assert [p["title"] for p in survey.versions[0].definition["pages"]] == [
        "About your practice",
        "Knowing about the service",
        "Referring patients",
        "Your views",
    ]
    response = db.session.scalar(select(Response).where(Response.survey_id == survey.id))
    assert response.status == "completed" and response.version_id == survey.versions[0].id
    release_database()
