"""The rank, read-only and hidden questions in real Chromium: live conditions read a rank's selects and the
answers given in advance, and the page is answered with the keyboard-free select elements as any browser."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db

pytestmark = pytest.mark.browser

YAML = """
slug: live-new-types
title: New types
pages:
  - name: main
    title: Your visit
    questions:
      - {name: source, type: hidden, label: Source, default: leaflet}
      - {name: clinic, type: short_text, label: Clinic, default: Riverside, read_only: true}
      - name: order
        type: rank
        label: Put these in order
        choices:
          - {value: waiting, label: Waiting times}
          - {value: staff, label: Staff}
      - {name: from_leaflet, type: yes_no, label: "Was the leaflet clear?", relevant: "${source} = 'leaflet'"}
      - {name: at_riverside, type: short_text, label: "Which ward?", relevant: "${clinic} = 'Riverside'"}
      - name: why_waiting
        type: short_text
        label: Why waiting first?
        relevant: ${order} = 'waiting staff'
      - {name: arrived, type: time, label: "What time did you arrive?"}
"""


def test_live_conditions_read_a_rank_and_answers_given_in_advance(import_survey, invite, web):
    _, _, path = invite(import_survey("live-new-types", text=YAML))
    db.session.rollback()
    page = web.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path)
    page.click("button:has-text('Start now')")
    page.wait_for_url("**/page/main")
    assert page.locator("[data-question=from_leaflet]").is_visible()  # the hidden default counts
    assert page.locator("[data-question=at_riverside]").is_visible()  # so does the read-only one
    why = page.locator("[data-question=why_waiting]")
    assert why.is_hidden()
    page.select_option("#order-1", "waiting")
    assert why.is_hidden()  # not a complete order yet
    page.select_option("#order-2", "staff")
    assert why.is_visible()
    page.fill("#arrived", "2:30pm")
    page.fill("#at_riverside", "Ward 7")  # typing elsewhere keeps the answers given in advance
    assert page.locator("[data-question=from_leaflet]").is_visible() and why.is_visible()
    page.fill("#why_waiting", "Hours in the waiting room")
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/check")
    text = page.inner_text("main")
    assert "1. Waiting times, 2. Staff" in text and "14:30" in text and "Riverside" in text
    assert "Source" not in text  # the hidden value is not on check your answers
    assert not problems, problems
