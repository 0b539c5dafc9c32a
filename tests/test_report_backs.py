"""Report back sheets: building, carrying actions over, freezing, the PDF's text, share links, and the demo's sheets."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from auth_helpers import make_user, sign_in
from dashboard_data import add_contact, respond
from pypdf import PdfReader

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, ReportBack, ReportShare, utcnow
from surveyapp.narrative import render_narrative
from surveyapp.services import report_backs as service

SURVEY = """slug: areas
title: Areas survey
pages:
  - name: one
    title: One
    questions:
      - {name: pick, type: single_choice, label: Pick one, choices: [{value: a, label: Apples}, {value: b, label: Bananas}]}
      - {name: said, type: long_text, label: Anything else}
"""


@pytest.fixture
def survey(import_survey):
    """Professional opinion: 12 in the north (7 say a, 5 say b), 2 in the east; 3 more invited in the east."""
    survey = import_survey("areas", text=SURVEY)
    survey.disclosure_policy = "professional"
    for i in range(12):
        respond(
            survey,
            {"pick": "a" if i < 7 else "b", "said": f"north words {i}"},
            add_contact(f"n{i}@x.org", area="north"),
        )
    for i in range(2):
        respond(survey, {"pick": "b", "said": f"SECRET east words {i}"}, add_contact(f"e{i}@x.org", area="east"))
    for i in range(3):
        from surveyapp.services.invitations import invite

        invite(db.session, survey, contacts=[add_contact(f"e-not-{i}@x.org", area="east")])
    db.session.commit()
    return survey


@pytest.fixture
def analyst(app):
    return make_user("cochair@example.org", "analyst")


def _sheet(survey, analyst) -> ReportBack:
    report = service.create_report(db.session, survey, "Autumn report back", "Action group", created_by_id=analyst.id)
    service.add_section(
        report, heading="Rates", narrative="We **asked** GPs.", figure_kind="rate_by_area", figure_params={"by": "area"}
    )
    service.add_section(
        report, heading="Picks", figure_kind="crosstab", figure_params={"question": "pick", "by": "area"}
    )
    service.add_section(
        report,
        heading="Elsewhere",
        outside=service.parse_outside("Benefits", "PCT return", "HOB, BEN", "Area, People\nHOB, 1\nSBPCT, 11"),
    )
    service.add_action(report, "Publish waiting times", "Commissioners", "March", "promised")
    service.add_action(report, "Evening groups", "Service", "April", "open")
    service.add_action(report, "Send results", "Co-chairs", "Now", "done")
    db.session.commit()
    return report


def test_narrative_is_a_safe_markdown_subset():
    html = str(
        render_narrative(
            "**bold** <script>alert(1)</script>\n\n- one\n\n[x](javascript:alert(1)) [ok](https://a.example)"
        )
    )
    assert "<strong>bold</strong>" in html and "<li>one</li>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and '<a href="https://a.example">ok</a>' in html


def test_small_cells_are_hidden_with_their_rate_and_flag_but_totals_are_exact(app, survey, analyst):
    report = _sheet(survey, analyst)
    rates = service.live_figure(db.session, report, report.sections[0])
    rows = {r[0]: r for r in rates["rows"]}
    east = next(v for k, v in rows.items() if "east" in k)
    assert east[1] == "5" and east[2] == "suppressed" and east[3] == "suppressed" and east[5] == "–"
    north = next(v for k, v in rows.items() if "north" in k)
    # The north's 12 would give the east's 2 away from the exact total of 14: it is hidden too.
    assert north[2] == "suppressed"
    assert "fewer than 5" in rates["rule"]


def test_a_final_sheet_does_not_change_when_new_responses_arrive(app, survey, analyst):
    report = _sheet(survey, analyst)
    service.finalise(db.session, report)
    db.session.commit()
    before = [service.live_figure(db.session, report, s) for s in report.sections]
    for i in range(6):
        respond(survey, {"pick": "a"}, add_contact(f"late{i}@x.org", area="east"))
    db.session.commit()
    assert [service.live_figure(db.session, report, s) for s in report.sections] == before
    with pytest.raises(service.ReportFinal):
        service.add_action(report, "Too late")


def test_open_and_promised_actions_are_carried_into_the_group_s_next_sheet(app, survey, analyst):
    report = _sheet(survey, analyst)
    service.finalise(db.session, report)
    following = service.create_report(db.session, survey, "Winter", "Action group")
    db.session.commit()
    carried = [(a.what, a.status, a.carried_from_id is not None) for a in following.actions]
    assert carried == [("Publish waiting times", "promised", True), ("Evening groups", "open", True)]
    copy = service.duplicate(db.session, report)
    assert [s.heading for s in copy.sections] == ["Rates", "Picks", "Elsewhere"] and copy.status == "draft"
    assert all(s.frozen is None for s in copy.sections) and len(copy.actions) == 2


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_co_chair_builds_a_sheet_through_the_pages_without_javascript(app, survey, analyst):
    client = app.test_client()
    sign_in(client, analyst)
    page = client.get("/reports/new").get_data(as_text=True)
    response = client.post(
        "/reports/new",
        data={
            "survey": "areas",
            "title": "Sheet <b>one</b>",
            "group_name": "G",
            "meeting_date": "2026-11-18",
            "attendees": "Ann, Raj",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    report = db.session.scalar(db.select(ReportBack))
    edit = client.get(response.location).get_data(as_text=True)
    assert "Sheet &lt;b&gt;one&lt;/b&gt;" in edit
    client.post(
        f"/reports/{report.id}/sections",
        data={"new-heading": "Rates", "new-narrative": "Text **here**", "new-figure_kind": "response_rate"},
    )
    client.post(
        f"/reports/{report.id}/actions", data={"newa-what": "Ask", "newa-of_whom": "Them", "newa-status": "open"}
    )
    bad = client.post(f"/reports/{report.id}/actions", data={"newa-what": "", "newa-status": "open"})
    assert bad.status_code == 400 and "Enter what was asked" in bad.get_data(as_text=True)
    autosave = client.post(
        f"/reports/{report.id}/sections/{report.sections[0].id}",
        data={
            f"s{report.sections[0].id}-heading": "Rates (saved)",
            f"s{report.sections[0].id}-figure_kind": "response_rate",
        },
        headers={"X-Autosave": "1"},
    )
    assert autosave.get_json() == {"saved": True}
    printed = client.get(f"/reports/{report.id}/print").get_data(as_text=True)
    assert "Rates (saved)" in printed and "<strong>here</strong>" in printed and "Sign out" not in printed
    assert client.post(f"/reports/{report.id}/finalise").status_code == 302
    assert client.post(f"/reports/{report.id}/actions", data={"newa-what": "x"}).status_code == 409
    assert page  # the form page rendered


def test_pdf_holds_the_figures_shown_and_none_of_the_hidden_ones(app, survey, analyst):
    report = _sheet(survey, analyst)
    service.finalise(db.session, report)
    db.session.commit()
    client = app.test_client()
    sign_in(client, analyst)
    response = client.get(f"/reports/{report.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Autumn report back" in text and "Publish waiting times" in text
    assert "suppressed" in text and "SBPCT" in text and "PCT return" in text
    assert "Sign out" not in text
    # The east's 2 completions and the north's 12 are hidden: neither count appears in a figure cell.
    rates = service.live_figure(db.session, report, report.sections[0])
    assert [row[2] for row in rates["rows"]] == ["suppressed", "suppressed"]
    assert "SECRET" not in text


@pytest.fixture
def shared(app, survey, analyst):
    report = _sheet(survey, analyst)
    service.finalise(db.session, report)
    share, token = service.create_share(db.session, report, days=7, created_by_id=analyst.id)
    db.session.commit()
    return report, share, token


def test_share_link_opens_that_sheet_and_nothing_else(app, shared):
    report, share, token = shared
    client = app.test_client()
    page = client.get(f"/r/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Autumn report back" in html and page.headers["Cache-Control"] == "no-store"
    assert "Sign out" not in html and "/reports/" + str(report.id) not in html
    for url in (f"/r/{token}/pdf", f"/r/{token}x", f"/reports/{report.id}?token={token}", f"/s/{token}", f"/p/{token}"):
        assert client.get(url).status_code in (302, 404), url  # 302: a signed-in page sends to /login
    assert client.get(f"/r/{token}/pdf").status_code == 404


def test_share_link_stops_when_revoked_or_expired(app, shared, analyst):
    report, share, token = shared
    client = app.test_client()
    share.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/r/{token}").status_code == 404
    share.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert client.get(f"/r/{token}").status_code == 200
    staff = app.test_client()
    sign_in(staff, analyst)
    assert staff.post(f"/reports/{report.id}/shares/{share.id}/revoke").status_code == 302
    assert client.get(f"/r/{token}").status_code == 404


def test_share_links_are_created_audited_stored_hashed_and_guessing_is_throttled(app, survey, analyst):
    app.config["TOKEN_GUESS_LIMIT"] = 3
    report = _sheet(survey, analyst)
    service.finalise(db.session, report)
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, analyst)
    created = staff.post(f"/reports/{report.id}/shares", data={"label": "Commissioner", "days": "14"})
    link = re.search(r'value="(http[^"]+/r/([^"]+))"', created.get_data(as_text=True))
    token = link.group(2)
    share = db.session.scalar(db.select(ReportShare))
    assert share.token_hash != token and len(token) >= 43
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "report_back.shared"))
    assert event.actor == "cochair@example.org" and "Commissioner" in event.detail
    guesser = app.test_client()
    for _ in range(3):
        assert guesser.get("/r/" + "x" * 43).status_code == 404
    assert guesser.get(f"/r/{token}").status_code == 429  # after the limit, even the right link waits


def test_a_draft_cannot_be_shared(app, survey, analyst):
    report = _sheet(survey, analyst)
    with pytest.raises(ValueError):
        service.create_share(db.session, report, 7)


def test_demo_has_a_final_sheet_and_a_draft_following_its_actions(app):
    from surveyapp.demo import load_demo

    load_demo(db.session)
    db.session.commit()
    final, draft = db.session.scalars(db.select(ReportBack).order_by(ReportBack.id)).all()
    assert final.is_final and not draft.is_final and draft.previous_id == final.id
    assert {a.what for a in draft.actions} == {a.what for a in final.actions if a.status in ("open", "promised")}
    client = app.test_client()
    cochair = db.session.scalar(db.select(db.text("1")))  # noqa: F841 (the demo's co-chair signs in below)
    from surveyapp.models import User

    sign_in(client, db.session.scalar(db.select(User).where(User.email == "cochair@example.org")))
    for url in (f"/reports/{final.id}", f"/reports/{draft.id}", f"/reports/{final.id}/print", "/reports/"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/reports/{final.id}/print").get_data(as_text=True)
    assert "North PCT (north)" in page and "What happened since" not in page
    assert "What happened since" in client.get(f"/reports/{draft.id}/print").get_data(as_text=True)


def test_the_same_page_asked_for_again_is_not_printed_again_but_a_changed_one_is(app, survey, analyst, tmp_path):
    """A wrapper in front of Debian's Chromium counts its runs (CHROMIUM_PATH): the real browser prints."""
    runs = tmp_path / "runs"
    wrapper = tmp_path / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{runs}"\nexec /usr/bin/chromium "$@"\n')
    wrapper.chmod(0o755)
    app.config["CHROMIUM_PATH"] = str(wrapper)
    client = app.test_client()
    sign_in(client, analyst)
    first = client.get(f"/dashboards/{survey.slug}/report.pdf")
    again = client.get(f"/dashboards/{survey.slug}/report.pdf")
    assert first.status_code == again.status_code == 200 and first.mimetype == "application/pdf"
    assert again.data == first.data and runs.read_text().count("run") == 1
    respond(survey, {"pick": "a", "said": "one more"}, add_contact("n-late@x.org", area="north"))
    db.session.commit()
    changed = client.get(f"/dashboards/{survey.slug}/report.pdf")
    assert changed.status_code == 200 and runs.read_text().count("run") == 2
    assert changed.data != first.data


def test_a_report_printed_in_urdu_is_drawn_in_an_urdu_font(app, survey, analyst):
    """Chromium on the server needs the Noto fonts (scripts/install_system_deps.sh) to draw Urdu letters."""
    analyst.interface_language = "ur"
    db.session.commit()
    client = app.test_client()
    sign_in(client, analyst)
    response = client.get(f"/dashboards/{survey.slug}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    fonts = set()
    for page in PdfReader(io.BytesIO(response.data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("Noto" in font and ("Arabic" in font or "Urdu" in font) for font in fonts), fonts
