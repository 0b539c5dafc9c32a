"""An admin builds a small survey in the questionnaire editor, in Chromium, with JavaScript on and off.

Create from blank, add a yes/no question and a page with a choice question, type a condition with a
mistake (with JavaScript the message shows as it is typed; on saving it shows beside the field and in the
error summary), fix it, preview the draft
as a respondent (the condition, written by the guided builder, hides and shows the second page), publish it. axe-core (WCAG 2.2 AA) scans
every editor page and state, errors included.
"""

from __future__ import annotations

import pytest
from auth_helpers import PASSWORD, make_user
from playwright.sync_api import expect
from sqlalchemy import select

from browser import harness
from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.models import Survey

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wcag22(monkeypatch):
    monkeypatch.setattr(harness, "AXE_TAGS", [*harness.AXE_TAGS, "wcag22a", "wcag22aa"])


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_admin_builds_previews_and_publishes_a_survey(app, web, wcag22, javascript):
    make_user("editor@example.org", "admin")
    release_database()

    page = web.new_page(java_script_enabled=javascript)
    page.goto("/login")
    page.fill("#email", "editor@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.get_by_role("link", name="Create a survey").click()
    web.check(page)
    page.get_by_role("button", name="Create the draft").click()  # no title: the error is shown
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the survey's title")
    web.expect_console_error("400")  # a form with errors answers 400
    web.check(page)
    page.fill("#title", "Clinic visits")
    page.get_by_label("A blank questionnaire").check()
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic visits")
    expect(page.locator("#draft-problems")).to_contain_text("the page has no questions")
    web.check(page)

    page.select_option("#add-page_1-qtype", "yes_no")
    page.fill("#add-page_1-label", "Did you visit the clinic?")
    page.get_by_role("button", name="Add the question to page “Page 1”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the question")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Question saved")
    web.check(page)

    page.get_by_role("link", name="Back to the editor").click()
    page.fill("#new-page-title", "Your visit")
    page.get_by_role("button", name="Add the page").click()
    page.select_option("#add-your_visit-qtype", "single_choice")
    page.fill("#add-your_visit-label", "How was it?")
    page.get_by_role("button", name="Add the question to page “Your visit”").click()
    page.fill("#choices", "Good\nbad = Not good")
    page.fill("#relevant", "${did_you_visit} = 'yes'")  # a mistake: the question is did_you_visit_the_clinic
    if javascript:  # checked as it is typed, with the same message as on saving
        expect(page.locator("#relevant-check")).to_contain_text("did you mean 'did_you_visit_the_clinic'?")
        web.check(page)
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("did you mean 'did_you_visit_the_clinic'?")
    expect(page.locator("#relevant-error")).to_contain_text("unknown question 'did_you_visit'")
    web.check(page)
    page.fill("#relevant", "")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)

    page.get_by_role("link", name="Back to the editor").click()
    page.get_by_role("link", name="Rename or set a condition for page “Your visit”").click()
    web.check(page)
    page.select_option("#rule_question_1", "did_you_visit_the_clinic")  # the guided builder writes the condition
    page.select_option("#rule_comparison_1", "=")
    page.fill("#rule_value_1", "yes")
    page.get_by_role("button", name="Write the condition").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Page saved")
    expect(page.locator("#relevant")).to_have_value("${did_you_visit_the_clinic} = 'yes'")
    web.check(page)
    page.get_by_role("link", name="Back to the editor").click()
    expect(page.locator("#draft-problems")).to_have_count(0)
    page.get_by_role("button", name="Move page “Your visit” up").click()
    expect(page.locator("#draft-problems")).to_contain_text("page condition can only use answers from earlier pages")
    web.check(page)
    page.get_by_role("button", name="Move page “Your visit” down").click()
    expect(page.locator("#draft-problems")).to_have_count(0)

    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page 1")
    web.check(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    web.expect_console_error("400")
    web.check(page)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your visit")
    page.get_by_label("Not good").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End of the preview")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Not good")
    web.check(page)

    page.get_by_role("link", name="Back to the editor").first.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Published: version 1.")
    web.check(page)

    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "clinic-visits"))
    assert survey.draft_definition is None and [v.number for v in survey.versions] == [1]
    pages = survey.current_version.definition["pages"]
    assert [p["name"] for p in pages] == ["page_1", "your_visit"]
    assert pages[1]["questions"][0]["choices"][1] == {"value": "bad", "label": "Not good"}
    release_database()


def test_keyboard_alone_adds_a_question_and_moves_it(app, web, wcag22):
    """Tab, typing and Enter only: add a question to a page, then move it up with its button; and the editor
    and the preview reflow on a 320 px phone."""
    make_user("keys@example.org", "admin")
    release_database()
    page = web.new_page()
    page.goto("/login")
    page.fill("#email", "keys@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto("/admin/new-survey")
    page.fill("#title", "Keys")
    page.get_by_role("button", name="Create the draft").click()
    for label in ("First question", "Second question"):
        page.fill("#add-page_1-label", label)
        page.select_option("#add-page_1-qtype", "short_text")
        page.get_by_role("button", name="Add the question to page “Page 1”").click()
        page.get_by_role("link", name="Back to the editor").click()

    page.focus("#add-page_1-qtype")
    page.keyboard.press("Tab")
    expect(page.locator("#add-page_1-label")).to_be_focused()
    page.keyboard.type("Third question")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add the question to page “Page 1”")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the question")
    page.get_by_role("link", name="Back to the editor").focus()
    page.keyboard.press("Enter")

    page.get_by_role("link", name="Edit “Third question”").focus()
    page.keyboard.press("Tab")
    move_up = page.get_by_role("button", name="Move “Third question” up")
    expect(move_up).to_be_focused()
    page.evaluate("() => { window.stillThisPage = true; }")  # gone if the page reloads
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Third question” moved up")
    labels = page.locator(".app-editor-questions li strong").all_inner_texts()
    assert labels == ["First question", "Third question", "Second question"]
    # in place: no reload, and the focus is back on the same button, so Enter moves it again
    assert page.evaluate("() => window.stillThisPage === true")
    expect(move_up).to_be_focused()
    web.check(page)
    page.keyboard.press("Enter")
    expect(page.locator(".app-editor-questions li strong").first).to_have_text("Third question")
    expect(page.get_by_role("button", name="Move “Third question” up")).to_have_count(0)
    expect(page.locator("#question-third_question :focus")).to_have_count(1)  # its first control, as it is first now
    page.get_by_role("button", name="Move “Third question” down").click()
    expect(page.locator(".app-editor-questions li strong").nth(1)).to_have_text("Third question")
    assert page.evaluate("() => window.stillThisPage === true")
    page.get_by_role("button", name="Delete “Second question”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the question “Second question”?")
    web.check(page)
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".app-editor-questions li strong")).to_have_count(2)

    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    web.check(page)
    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page 1")
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    web.check(page)
    release_database()


def test_adding_a_page_in_place_shows_its_errors_without_a_reload(app, web, wcag22):
    """With JavaScript, adding a page (or failing to) replaces the editor's content in place."""
    make_user("inplace@example.org", "admin")
    release_database()
    page = web.new_page()
    page.goto("/login")
    page.fill("#email", "inplace@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto("/admin/new-survey")
    page.fill("#title", "In place")
    page.get_by_role("button", name="Create the draft").click()
    page.evaluate("() => { window.stillThisPage = true; }")
    page.get_by_role("button", name="Add the page").click()  # no title
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # GOV.UK's summary takes the focus
    web.expect_console_error("400")
    web.check(page)
    page.fill("#new-page-title", "About you")
    page.get_by_role("button", name="Add the page").click()
    expect(page.get_by_role("heading", name="Page 2: About you")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator(".govuk-notification-banner")).to_be_focused()
    assert page.evaluate("() => window.stillThisPage === true")
    web.check(page)
    release_database()
