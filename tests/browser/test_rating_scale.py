"""A 0-10 or 1-5 scale is one row of labelled options on a 320 px phone and on a desktop (issue 15).

The options are radios in a fieldset, drawn as a segmented row: every option box lies on
the same line inside the viewport, the end labels are shown under the row, the arrow keys
move the choice as in any radio group, a low score reveals its follow-up live, and axe-core
finds no WCAG 2.2 AA violation.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.harness import format_violations, run_axe
from surveyapp.extensions import db

pytestmark = pytest.mark.browser

WCAG22_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def wcag22_violations(page) -> list[dict]:
    run_axe(page)  # injects axe-core (and checks WCAG 2.1 A/AA on the way)
    return page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))
            }));
        }""",
        WCAG22_TAGS,
    )


def option_boxes(page, name: str) -> list[dict]:
    return page.eval_on_selector_all(
        f"[data-question={name}] .app-scale__label",
        "labels => labels.map(l => { const r = l.getBoundingClientRect();"
        " return {text: l.textContent.trim(), top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
        " width: r.width, height: r.height}; })",
    )


def assert_one_row(page, name: str, expected: list[str]) -> None:
    boxes = option_boxes(page, name)
    assert [b["text"] for b in boxes] == expected
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert len({round(b["top"]) for b in boxes}) == 1, f"{name} options wrap: {boxes}"
    assert all(b["left"] >= 0 and b["right"] <= width for b in boxes), f"{name} options leave the screen: {boxes}"
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in boxes), f"{name} targets under 24 px: {boxes}"
    assert all(a["right"] <= b["left"] + 2.5 for a, b in zip(boxes, boxes[1:])), "options overlap or are out of order"


@pytest.mark.parametrize("width", [320, 1024])
def test_scales_are_one_row_of_labelled_options(import_survey, invite, web, width):
    _, _, path = invite(import_survey("scale"))
    db.session.rollback()  # end the test's read transaction: SQLite would keep the live server waiting
    page = web.new_page(viewport={"width": width, "height": 800})
    page.goto(path)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/page/main")

    assert_one_row(page, "score", [str(n) for n in range(11)])
    assert_one_row(page, "stars", [str(n) for n in range(1, 6)])
    expect(page.locator("#score-ends")).to_contain_text("0 Not at all likely")
    expect(page.locator("#score-ends")).to_contain_text("10 Extremely likely")
    expect(page.locator("#stars-ends")).to_contain_text("1 Poor")
    ends = page.locator("#score-ends .app-scale__end").all()
    assert ends[0].bounding_box()["x"] < ends[1].bounding_box()["x"], "end labels are not at the two ends"
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px"

    # A radio group to the keyboard and to assistive technology.
    group = page.get_by_role("group", name="How likely are you to recommend us to friends and family?")
    expect(group.get_by_role("radio")).to_have_count(11)
    page.get_by_role("radio", name="7", exact=True).first.focus()
    page.keyboard.press("Space")
    expect(page.locator("#score-8")).to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#score-9")).to_be_checked()  # 8
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#score-7")).to_be_checked()  # 6: a low score
    expect(page.locator("[data-question=why_low]")).to_be_visible()  # conditions.js read the scale as a number
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-question=why_low]")).to_be_hidden()

    web.check(page)
    violations = wcag22_violations(page)
    assert not violations, format_violations(page.url, violations)

    # The error state keeps the row and links to the first option.
    page.goto(page.url)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.locator(".govuk-error-summary a[href='#score']").click()
    expect(page.locator("#score")).to_be_focused()
    assert_one_row(page, "score", [str(n) for n in range(11)])
    violations = wcag22_violations(page)
    assert not violations, format_violations(page.url, violations)

    page.get_by_role("radio", name="9", exact=True).first.check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check")
    expect(page.locator("main")).to_contain_text("9")
