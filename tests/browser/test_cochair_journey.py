"""Journey 4: a co-chair (analyst) reads the dashboards of a survey with realistic data in a real Chromium.

The data is the demo's (surveyapp.demo.load_demo: the GP survey, 206 GPs invited
in three areas, 20 completed), plus one free-text answer that a spreadsheet would
take for a formula. The co-chair signs in at /login with a typed password, opens
the response-rate dashboard and the results dashboard (each Plotly chart drawn:
an svg.main-svg in every chart container), filters the results by area (an
invalid date range typed in the day, month and year boxes first: the error state; the segment applies on change), switches disclosure control off and on
again, downloads the CSV export and reads it, and opens the printable report
(no count of 1 to 7 anywhere). Every page is scanned by axe-core (web.check);
any console error fails the test.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from browser.respondent import release_database
from surveyapp.dashboards.disclosure import Disclosure
from surveyapp.demo import DEMO_PASSWORD, load_demo
from surveyapp.extensions import db
from surveyapp.journey import flow as journey
from surveyapp.models import AuditEvent, ContactAttribute, Invitation, Response, Survey

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COCHAIR = "cochair@example.org"
FORMULA = '=HYPERLINK("http://evil.example","click")'
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def heading(page):
    return page.get_by_role("heading", level=1)


def demo_with_a_formula_answer() -> tuple[dict[str, int], Disclosure]:
    """The demo data with one completed GP's 'works well' answer made to look like a formula.

    Returns the exact completions per area (pct) and the survey's disclosure rule."""
    load_demo(db.session)
    survey = db.session.scalar(select(Survey).where(Survey.slug == "gp-iapt"))
    response = db.session.scalars(
        select(Response).where(Response.survey_id == survey.id, Response.status == "completed").order_by(Response.id)
    ).first()
    journey.save_answers(
        db.session, response, journey.questionnaire_of(response.version), {"works_well": FORMULA}, ["works_well"]
    )
    db.session.commit()
    per_area = dict(
        db.session.execute(
            select(ContactAttribute.value, func.count())
            .join(Invitation, Invitation.contact_id == ContactAttribute.contact_id)
            .join(Response, Response.invitation_id == Invitation.id)
            .where(Invitation.survey_id == survey.id, ContactAttribute.name == "pct", Response.status == "completed")
            .group_by(ContactAttribute.value)
        ).all()
    )
    disclosure = Disclosure.for_survey(survey)
    release_database()
    return per_area, disclosure


def charts_drawn(page) -> int:
    """Every chart container on the page has Plotly's SVG in it; returns how many there are."""
    charts = page.locator(".app-chart")
    count = charts.count()
    assert count > 0, "no chart on the page"
    for i in range(count):
        expect(charts.nth(i).locator("svg.main-svg").first).to_be_attached()
        expect(charts.nth(i)).to_have_attribute("data-drawn", "true")
    return count


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def shown_counts(page) -> list[str]:
    """Every count the printable report shows: totals, the funnel, the areas, each answer's count and bar label."""
    texts = [page.locator("#report-respondents").inner_text()]
    texts += page.locator("#report-funnel tr td:nth-of-type(1)").all_inner_texts()
    texts += page.locator(
        "#report-segments tbody tr td:nth-of-type(1), #report-segments tbody tr td:nth-of-type(2)"
    ).all_inner_texts()
    texts += page.locator(".app-question table tr td:nth-of-type(1)").all_inner_texts()
    texts += [
        m.group(1)
        for t in page.locator(".app-question p.govuk-body-s").all_inner_texts()
        if (m := re.fullmatch(r"Answered by (\S+)\.", t.strip()))
    ]
    # Bar labels in the drawn charts: "15 (75%)" or a bare count; percentages alone ("40%") are not counts.
    texts += [
        m.group(1)
        for t in page.locator(".app-chart text.bartext").all_text_contents()
        if (m := re.fullmatch(r"(\d+|\*)(?: \(.*\))?", t.strip()))
    ]
    return [t.strip() for t in texts]


def audit_actions() -> list[str]:
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor == COCHAIR)))
    release_database()
    return actions


def test_cochair_reads_rates_and_results_filters_switches_disclosure_exports_and_prints(app, web, tmp_path):
    per_area, disclosure = demo_with_a_formula_answer()
    assert sum(per_area.values()) == 20 and len(per_area) == 3, per_area
    area = max(per_area, key=per_area.get)  # the largest area: its count survives suppression
    exact, shown = per_area[area], disclosure.count(per_area[area])

    page = web.new_page()
    page.goto("/dashboards/")  # not signed in: the sign-in page first
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(heading(page)).to_have_text("Sign in")
    web.check(page)
    page.get_by_label("Email address").press_sequentially(COCHAIR)
    page.get_by_label("Password", exact=True).press_sequentially(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Dashboards")
    web.check(page)

    # Response rates: the funnel, the timeline and the breakdowns, each chart drawn by Plotly.
    page.get_by_role("link", name=re.compile("^Response rates")).first.click()
    expect(heading(page)).to_have_text("Response rates")
    expect(page.locator("main")).to_contain_text("Response rate: 9.8% (20 of 205 invited")  # 206 rounded to 205
    assert charts_drawn(page) >= 4
    expect(page.locator("#segment-table tbody tr")).to_have_count(3)
    web.check(page)

    # Results: a chart per choice, scale, number and date question.
    page.get_by_role("link", name="Results", exact=True).click()
    expect(heading(page)).to_have_text("Results")
    assert charts_drawn(page) >= 6
    respondents = page.locator("#respondents")
    expect(respondents).to_have_text("20 completed responses.")
    web.check(page)

    # Error states: an impossible range typed into the date fields, then a date that does not exist.
    for field, value in (("from-day", "1"), ("from-month", "12"), ("from-year", "2026")):
        page.locator(f"#{field}").fill(value)
    for field, value in (("to-day", "1"), ("to-month", "1"), ("to-year", "2026")):
        page.locator(f"#{field}").fill(value)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_title(re.compile("^Error: "), timeout=30_000)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The start date must be on or before the end date")
    web.check(page)
    page.goto("/dashboards/gp-iapt/results?from=2026-02-30")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The start date must be a date like")
    web.check(page)
    page.get_by_role("link", name="Clear filters").click()
    expect(page).not_to_have_title(re.compile("^Error: "))

    # Filter by area (the pct attribute, then its value): the figures are the area's.
    page.get_by_label("Segment").select_option(f"pct={area}")  # applies at once, with no second box
    expect(respondents).to_have_text(f"{shown} completed responses in this filtered group.", timeout=30_000)
    charts_drawn(page)
    web.check(page)

    # Disclosure control off: the exact count of the area (audited), then on again.
    assert "results.exact_figures" not in audit_actions()
    page.get_by_role("link", name="Show exact figures").click()
    expect(page.locator(".app-disclosure-off")).to_contain_text("Exact figures: not for publication")
    expect(respondents).to_have_text(f"{exact} completed responses in this filtered group.")
    expect(page).to_have_url(re.compile(rf"attr=pct&value={area}.*exact=1"))  # the filter is kept
    charts_drawn(page)
    web.check(page)
    assert "results.exact_figures" in audit_actions()
    page.get_by_role("link", name="Turn disclosure control back on").click()
    expect(page.locator(".app-disclosure-on")).to_be_visible()
    expect(respondents).to_have_text(f"{shown} completed responses in this filtered group.")
    web.check(page)

    # The CSV export, downloaded and read: no email addresses, formula-looking cells neutralised.
    page.get_by_role("link", name="Exports", exact=True).click()
    expect(heading(page)).to_have_text("Exports")
    web.check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Responses as CSV, with answer labels").click()
    download = download_info.value
    assert download.suggested_filename == "gp-iapt-responses.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["response_id", "version", "collection_mode", "submitted_at"], header
    assert {"attr:pct", "practice_area", "works_well", "recommend"} <= set(header), header
    assert len(body) == 20 and all(len(row) == len(header) for row in body)
    assert not EMAIL.search(text), EMAIL.search(text)
    works_well = [row[header.index("works_well")] for row in body]
    assert "'" + FORMULA in works_well and FORMULA not in works_well
    risky = [cell for row in rows for cell in row if cell.startswith(FORMULA_START) and not is_number(cell)]
    assert risky == [], risky
    assert "results.export" in audit_actions()

    # The printable report: charts drawn (as static images for print), disclosure control always on.
    page.get_by_role("link", name="Printable report").first.click()
    expect(heading(page)).to_have_text(re.compile("GP opinion survey"))
    assert charts_drawn(page) >= 6
    counts = shown_counts(page)
    assert len(counts) > 20, counts
    assert [c for c in counts if c != "*" and not (c.isdigit() and int(c) % disclosure.rounding == 0)] == [], counts
    assert not [c for c in counts if c.isdigit() and 1 <= int(c) <= disclosure.threshold], counts
    assert "*" in counts  # the demo has small groups: they are hidden, not left out of the check
    expect(page.locator("main")).not_to_contain_text("Exact figures")
    web.check(page)
