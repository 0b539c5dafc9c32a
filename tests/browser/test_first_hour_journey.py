"""A group's first hour in a real Chromium: the home page, signing in, a whole round from the browser
(choose a list, check the count and the email, invite, send, read it in the captured outbox, remind), and a
person opting out through the List-Unsubscribe link of a delivered email. Every page is checked by axe-core
(WCAG 2.2 AA)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from browser.respondent import release_database
from surveyapp.auth.users import create_user
from surveyapp.demo.first_round import CARERS, CARERS_COMPLETED, CARERS_INVITED, load_reminder_round
from surveyapp.extensions import db
from surveyapp.mail.outbox import reminder_candidates
from surveyapp.models import Invitation, Survey, utcnow

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN, PASSWORD = "admin@example.org", "a-long-admin-password-2026"


def heading(page):
    return page.get_by_role("heading", level=1)


def flash(page):
    return page.locator(".govuk-notification-banner")


def carers_round() -> None:
    load_reminder_round(db.session)
    create_user(db.session, ADMIN, "admin", PASSWORD)
    release_database()


def test_a_new_admin_runs_a_whole_round_from_the_home_page(app, web):
    carers_round()
    page = web.new_page()
    page.goto("/")
    expect(heading(page)).to_have_text("Voice Survey")
    web.check(page)
    page.get_by_role("button", name="Sign in").click()  # the start button is a link styled as a button
    expect(heading(page)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Surveys")
    page.goto("/")  # signed in, the home page leads to the role's home
    expect(page.locator("#role-home")).to_have_attribute("href", "/admin/")
    web.check(page)

    page.goto("/admin/surveys/carers-support")
    page.get_by_role("link", name="Invitations and reminders").click()
    expect(heading(page)).to_have_text("Invitations")
    expect(page.get_by_label("Contacts from")).to_have_value("")  # no list chosen for the admin
    web.check(page)

    # 1 and 2: choose the list, check the count and the email (for a real carer), then invite.
    page.get_by_label("Contacts from").select_option(label="The list “Carers' network”")
    page.get_by_role("button", name="Check who would be invited").click()
    not_invited = CARERS - CARERS_INVITED
    expect(page.locator("#check-count")).to_contain_text(f"{not_invited} contact(s) not invited yet")
    preview = page.locator("#invitation-preview")
    expect(preview).to_contain_text("It is run by Northshire Carers' Network")
    expect(preview).to_contain_text("Please answer by")
    expect(preview).not_to_contain_text("Alex Example")
    web.check(page)
    page.get_by_role("button", name=f"Invite these {not_invited} contact(s)").click()
    expect(flash(page)).to_contain_text(f"{not_invited} contact(s) invited. Next: send the invitation emails.")
    web.check(page)

    # 3: send; the worker (here one pass of `flask mail send`) captures the emails in development.
    page.get_by_role("button", name="Send invitations").click()
    expect(flash(page)).to_contain_text(f"{not_invited} invitation email(s) queued")
    expect(page.locator("#send")).to_be_visible()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert f"sent {not_invited}," in result.output, result.output
    release_database()
    page.get_by_role("link", name="See the outbox").click()
    page.get_by_role("link", name="see the captured emails").click()
    expect(heading(page)).to_have_text("Captured emails")
    expect(page.locator("main")).to_contain_text("Please take part: Carers' survey")
    expect(page.locator("main")).to_contain_text("With thanks from Northshire Carers' Network")
    web.check(page)

    # 4: remind those emailed ten days ago who have not answered; then nothing is due.
    page.goto("/admin/surveys/carers-support/invitations")
    due = CARERS_INVITED - CARERS_COMPLETED
    expect(page.locator("#remindable")).to_contain_text(f"{due} invitation(s) can be reminded now")
    expect(page.locator("#reminder-preview")).to_contain_text("asked for your views", use_inner_text=False)
    page.get_by_role("button", name="Send reminders").click()
    expect(flash(page)).to_contain_text(f"{due} reminder(s) queued")
    expect(page.locator("#remindable")).to_have_text("No reminders are due now.")
    expect(page.get_by_role("button", name="Send reminders")).to_have_count(0)
    web.check(page)


def test_the_list_unsubscribe_link_opened_in_a_browser_opts_out_and_ends_reminders(app, web, mailbox):
    carers_round()
    runner = app.test_cli_runner()
    for command in (["invitations", "remind", "carers-support"], ["mail", "send"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    release_database()
    message = mailbox.messages[0]
    unsubscribe = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    assert unsubscribe.startswith(app.config["SURVEYAPP_BASE_URL"]) and unsubscribe.endswith("/unsubscribe")

    page = web.new_page()  # a mail program without one-click support opens the link in the browser
    page.goto(unsubscribe)
    expect(heading(page)).to_have_text("Opt out of emails")
    web.check(page)
    page.get_by_role("button", name="Opt out").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("You have opted out")
    web.check(page)

    survey = db.session.scalar(select(Survey).where(Survey.slug == "carers-support"))
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.survey_id == survey.id, Invitation.contact.has(email=message["To"]))
    )
    assert invitation.opted_out_at is not None
    later = utcnow().replace(year=utcnow().year + 1)  # long after: every other non-responder is due again
    due = {i.id for i in db.session.scalars(reminder_candidates(survey, later))}
    assert due and invitation.id not in due
    release_database()
