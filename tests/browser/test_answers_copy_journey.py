"""A respondent on a public link asks for a copy of their answers, in a real Chromium (JavaScript on and off).

The thank-you page can be reloaded, names who has the answers and gives a reference; a wrong
address is corrected through the error summary; the copy arrives at a real SMTP server once the
mail worker runs. Every state is scanned by axe-core (WCAG 2.2 AA).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from smtp_sink import body_text

from surveyapp.extensions import db

pytestmark = pytest.mark.browser

SURVEY = """
slug: copy-journey
title: Community mental health feedback
settings:
  public_link: true
  organisation: Riverside Carers' Network
  answers_copy: true
pages:
  - name: views
    title: Your views
    questions:
      - name: helped
        type: yes_no
        label: Did the service help you?
      - name: why
        type: long_text
        label: Tell us why
        required: false
"""


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_respondent_gets_a_copy_of_their_answers(app, web, import_survey, mailbox, runner, javascript):
    key = import_survey("copy-journey", text=SURVEY).public_key
    db.session.commit()  # end the test's own transaction: the live server writes to the same database
    page = web.new_page(java_script_enabled=javascript)
    page.goto(f"/p/{key}")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Tell us why").fill("The <b>evening</b> group")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_text("Your answers have gone to Riverside Carers' Network")).to_be_visible()
    reference = re.search(r"Your reference: ([0-9A-F]{5}-[0-9A-F]{5})", page.locator(".govuk-panel").inner_text())
    assert reference, page.locator(".govuk-panel").inner_text()
    page.reload()  # the thank-you page can be reloaded
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    web.check(page)

    page.get_by_label("Email address").fill("someone at example")
    page.get_by_role("button", name="Email me a copy of my answers").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(
        "Enter an email address in the correct format, like name@example.com"
    )
    expect(page.get_by_label("Email address")).to_have_value("someone at example")
    web.check(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    page.get_by_label("Email address").fill("someone@example.org")
    page.get_by_role("button", name="Email me a copy of my answers").click()
    expect(page.get_by_text("A copy of your answers is on its way")).to_be_visible()
    expect(page.get_by_role("button", name="Email me a copy of my answers")).to_have_count(0)
    web.check(page)

    result = runner.invoke(args=["mail", "send"])
    assert result.output.strip() == "sent 1, retrying 0, failed 0", result.output
    [message] = mailbox.messages
    assert message["To"] == "someone@example.org"
    text = body_text(message).replace("\r\n", "\n")
    assert f"Your reference: {reference.group(1)}" in text
    assert "Tell us why\n  The <b>evening</b> group" in text
