"""Journey 1: a GP answers the demo survey through a personal link, in a real Chromium.

The link arrives by email: the mail worker delivers the invitation to an aiosmtpd
server in the test, the link is taken from the received message's plain-text part,
and the HTML part, shown in the browser, carries the same working link.
Conditions show and hide questions, an error is corrected, the browser is closed
half-way and the link reopened (it resumes), an answer is changed from "check
your answers", the answers are sent and the link then says so. Every page is
scanned by axe-core (web.check).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from browser.respondent import GP_EMAIL, emailed_invitation, open_gp_survey
from surveyapp.extensions import db
from surveyapp.models import Answer, InvitationEvent, Question, Response

pytestmark = pytest.mark.browser


def test_gp_answers_resumes_changes_and_submits_through_a_personal_link(app, web, import_survey, mailbox):
    received = emailed_invitation(app, open_gp_survey(import_survey), mailbox)
    link = received.text_link
    assert received.html_link == link, "the plain-text and HTML parts must carry the same link"
    assert received.message["To"] == GP_EMAIL

    page = web.new_page()
    # A link cut short in the email: the same page as any unknown address.
    page.goto(link[:-3])
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    web.expect_console_error("404")
    web.check(page)

    # The HTML part as a mail program shows it: its link is followed by a real click.
    page.set_content(received.html)
    page.get_by_role("link", name="Take part in the survey").click()
    expect(page).to_have_url(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("GP opinion survey"))
    web.check(page)
    web.close(page)

    # The plain-text part's link, pasted into a new browser window.
    page = web.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("GP opinion survey"))
    web.check(page)
    page.get_by_role("button", name="Start now").click()

    # About your practice: Continue with nothing answered shows the errors, linked to their fields.
    expect(page.get_by_role("heading", level=1)).to_have_text("About your practice")
    web.check(page)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary.get_by_role("link")).to_have_count(2)
    web.check(page)
    page.get_by_role("radio", name="North PCT").check()
    page.locator("#referrals").fill("twelve")
    page.get_by_role("button", name="Continue").click()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(page.locator("#referrals")).to_have_value("twelve")  # what they typed is kept to correct
    web.check(page)
    summary.get_by_role("link").click()
    expect(page.locator("#referrals")).to_be_focused()
    page.locator("#referrals").fill("12")
    page.get_by_role("button", name="Continue").click()

    # Knowing about the service: "Yes" makes the next page (Referring patients) relevant.
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowing about the service")
    web.check(page)
    page.get_by_role("group", name=re.compile("did you know how to refer")).get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()

    # Referring patients: the date question shows because referrals > 0 (a condition across pages).
    expect(page.get_by_role("heading", level=1)).to_have_text("Referring patients")
    expect(page.get_by_role("group", name="When did you last refer a patient?")).to_be_visible()
    expect(page.locator("#routes_other")).to_be_hidden()
    web.check(page)
    page.get_by_role("checkbox", name="Referral letter").check()
    page.get_by_role("checkbox", name="Another way").check()
    # "Another way" makes a follow-up relevant on the same page: with JavaScript on it appears at once.
    other = page.get_by_label("What other way did you use?")
    expect(other).to_be_visible()
    page.get_by_role("checkbox", name="Another way").uncheck()
    expect(other).to_be_hidden()
    page.get_by_role("checkbox", name="Another way").check()
    web.check(page)
    other.fill("Fax to the triage team")
    page.get_by_role("radio", name="Easy", exact=True).check()
    page.locator("#last_referral-day").fill("3")
    page.locator("#last_referral-month").fill("2")
    page.locator("#last_referral-year").fill("2020")
    page.get_by_role("group", name=re.compile("how long patients wait")).get_by_role("radio", name="7").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your views")

    # The browser is closed half-way; the same link opened later resumes where they left off.
    web.close(page)
    page = web.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your views")
    web.check(page)
    page.get_by_label("What works well about the service?").fill("Quick first appointments.")
    why = page.get_by_label("Why would you not recommend it?")
    expect(why).to_be_hidden()
    page.get_by_role("group", name=re.compile("recommend the service")).get_by_role("radio", name="No").check()
    expect(why).to_be_visible()
    web.check(page)
    why.fill("Waiting lists are too long.")
    page.get_by_role("button", name="Continue").click()

    # Check your answers shows every answer, including the ones given before the browser was closed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    main = page.locator("main")
    for text in (
        "North PCT",
        "12 patients",
        "Referral letter",
        "Fax to the triage team",
        "3 February 2020",
        "Waiting lists are too long.",
    ):
        expect(main).to_contain_text(text)
    web.check(page)

    # Changing "did you know how to refer" to No hides the whole Referring patients section.
    page.get_by_role("link", name=re.compile("Change.*did you know how to refer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowing about the service")
    web.check(page)
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    expect(main).not_to_contain_text("Referring patients")
    expect(main).not_to_contain_text("Fax to the triage team")
    web.check(page)

    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Thank you")
    web.check(page)
    # The thank-you page is a page of its own (after a redirect): reloading it shows it again.
    expect(page).to_have_url(re.compile(r"/done$"))
    page.reload()
    expect(page.locator(".govuk-panel")).to_contain_text("Thank you")

    # The link now says the survey is done, in a new browser too.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("You have already completed this survey")
    web.check(page)
    web.close(page)
    page = web.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("You have already completed this survey")

    response = db.session.scalars(select(Response)).one()
    assert response.status == "completed" and response.submitted_at is not None
    stored = dict(
        db.session.execute(
            select(Question.name, func.count())
            .join(Answer, Answer.question_id == Question.id)
            .where(Answer.response_id == response.id)
            .group_by(Question.name)
        ).all()
    )
    assert stored == {
        "practice_area": 1,
        "referrals": 1,
        "aware": 1,
        "works_well": 1,
        "recommend": 1,
        "not_recommend_why": 1,
    }, "hidden answers (routes, dates) must not be stored"
    kinds = db.session.scalars(select(InvitationEvent.kind).order_by(InvitationEvent.id)).all()
    assert kinds.count("completed") == 1 and kinds.count("started") == 1
