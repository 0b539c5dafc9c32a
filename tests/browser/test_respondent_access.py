"""Journey 2: the GP survey answered with JavaScript off, and with the keyboard alone.

The questionnaire's conditions are worked out on the server, so neither needs
JavaScript: a question made relevant by an answer on the same page appears after
Continue. Every page is scanned by axe-core (web.check).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from browser.respondent import open_gp_survey, personal_link
from surveyapp.extensions import db
from surveyapp.models import Response

pytestmark = pytest.mark.browser


def heading(page):
    return page.get_by_role("heading", level=1)


def test_gp_survey_can_be_answered_with_javascript_off(app, web, import_survey, mailbox):
    link = personal_link(app, open_gp_survey(import_survey), mailbox)
    page = web.new_page(java_script_enabled=False)
    page.goto(link)
    # GOV.UK Frontend marks the body when its JavaScript runs: it must not have.
    assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")
    web.check(page)
    page.get_by_role("button", name="Start now").click()

    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_count(2)
    web.check(page)
    page.get_by_role("radio", name="South PCT").check()
    page.locator("#referrals").fill("3")
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_have_text("Knowing about the service")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_have_text("Referring patients")
    web.check(page)
    page.get_by_role("checkbox", name="Another way").check()
    page.get_by_role("button", name="Continue").click()
    # Without JavaScript the newly relevant question appears on the same page after Continue.
    expect(page.get_by_role("status")).to_contain_text("More questions have been added")
    web.check(page)
    page.get_by_label("What other way did you use?").fill("Letter by hand")
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_have_text("Your views")
    web.check(page)
    page.get_by_label("What should change?").fill("Shorter waits.")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_have_text("Check your answers before submitting")
    expect(page.locator("main")).to_contain_text("Letter by hand")
    web.check(page)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Thank you")
    web.check(page)
    assert db.session.scalars(select(Response.status)).all() == ["completed"]


# -- the keyboard alone: Tab to move, Space to tick, arrows within a radio group, typing, Enter -----------------


def tab_to(page, selector: str, max_presses: int = 40) -> None:
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def assert_focus_visible(page) -> None:
    """The focused control shows GOV.UK's focus style (an outline or a box shadow)."""
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle, shadow: s.boxShadow}; }""")
    assert style["outline"] != "none" or style["shadow"] != "none", f"no visible focus on {page.url}: {style}"


def press_button(page, selector: str = "button.govuk-button") -> None:
    tab_to(page, selector)
    assert_focus_visible(page)
    page.keyboard.press("Enter")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    assert_focus_visible(page)
    page.keyboard.type(text)


def choose_radio(page, name: str, value: str) -> None:
    """Tab into the group, then arrow keys to the option (arrows select as they move), Space to be sure."""
    tab_to(page, f"input[type=radio][name='{name}']")
    for _ in range(15):
        if page.evaluate("() => document.activeElement.value") == value:
            page.keyboard.press("Space")
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()


def tick(page, name: str, value: str) -> None:
    tab_to(page, f"input[type=checkbox][name='{name}'][value='{value}']")
    page.keyboard.press("Space")
    expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()


def test_gp_survey_can_be_completed_with_the_keyboard_alone(app, web, import_survey, mailbox):
    link = personal_link(app, open_gp_survey(import_survey), mailbox)
    page = web.new_page()
    page.goto(link)  # typed into the address bar
    web.check(page)
    press_button(page, "button.govuk-button--start")

    expect(heading(page)).to_have_text("About your practice")
    type_into(page, "#referrals", "4")
    press_button(page)
    # The error summary takes the focus; its link moves the focus to the question to fix.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    web.check(page)
    tab_to(page, ".govuk-error-summary a")
    page.keyboard.press("Enter")
    expect(page.locator("input[name=practice_area]").first).to_be_focused()
    choose_radio(page, "practice_area", "east")
    press_button(page)

    expect(heading(page)).to_have_text("Knowing about the service")
    choose_radio(page, "aware", "yes")
    press_button(page)

    expect(heading(page)).to_have_text("Referring patients")
    tick(page, "routes", "phone")
    tick(page, "routes", "other")
    # With JavaScript on, the follow-up appears as soon as "other" is ticked, next in the tab order.
    expect(page.locator("#routes_other")).to_be_visible()
    web.check(page)
    type_into(page, "#routes_other", "By a practice nurse")
    choose_radio(page, "ease", "difficult")
    type_into(page, "#last_referral-day", "1")
    type_into(page, "#last_referral-month", "10")
    type_into(page, "#last_referral-year", "2024")
    choose_radio(page, "waiting_satisfaction", "3")
    press_button(page)

    expect(heading(page)).to_have_text("Your views")
    type_into(page, "#works_well", "Friendly staff.")
    choose_radio(page, "recommend", "yes")
    press_button(page)

    expect(heading(page)).to_have_text("Check your answers before submitting")
    main = page.locator("main")
    for text in ("East PCT", "Telephone", "By a practice nurse", "1 October 2024", "Friendly staff."):
        expect(main).to_contain_text(text)
    web.check(page)
    press_button(page, "form button.govuk-button")
    expect(page.locator(".govuk-panel")).to_contain_text("Thank you")
    web.check(page)
    assert db.session.scalars(select(Response.status)).all() == ["completed"]
