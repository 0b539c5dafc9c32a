"""Dashboard pages over HTTP: authorisation by survey and role, escaping, plotly.js placement, the audited switch."""

import gzip
import json
import re

import pytest
from dashboard_data import add_contact, respond

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, SurveyAssignment
from surveyapp.services.users import create_user

PASSWORD = "a-long-test-password-123"
HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
HOSTILE_TEXT = "<script>alert('x')</script>"
HOSTILE_YAML = f"""
slug: hostile
title: "Hostile {HOSTILE_TEXT}"
pages:
  - name: one
    title: One
    questions:
      - name: pick
        type: single_choice
        label: "Pick {HOSTILE_TEXT}"
        choices:
          - {{value: bad, label: "{HOSTILE_LABEL}"}}
          - {{value: good, label: Good}}
      - name: said
        type: long_text
        label: Say something
"""


def sign_in(client, role, email=None):
    email = email or f"{role}@example.org"
    create_user(db.session, email, role, PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return email


@pytest.fixture
def hostile(import_survey):
    survey = import_survey("hostile", text=HOSTILE_YAML)
    for i in range(9):
        respond(
            survey,
            {"pick": "bad" if i % 2 else "good", "said": HOSTILE_TEXT},
            add_contact(f"h{i}@example.org", area="north"),
        )
    db.session.commit()
    return survey


DASHBOARD_PAGES = [
    "/dashboards/{slug}/",
    "/dashboards/{slug}/results",
    "/dashboards/{slug}/report",
    "/dashboards/{slug}/exports",
    "/dashboards/{slug}/text/said",
    "/dashboards/{slug}/export/responses.csv",
    "/dashboards/{slug}/export/codebook.csv",
    "/dashboards/{slug}/export/summary.csv",
    "/dashboards/{slug}/export/responses.xlsx",
]


@pytest.mark.parametrize("path", DASHBOARD_PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, hostile, path):
    response = client.get(path.format(slug=hostile.slug))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", DASHBOARD_PAGES + ["/dashboards/"])
def test_volunteers_get_no_dashboards_even_for_their_own_survey(client, hostile, path):
    sign_in(client, "volunteer")
    from surveyapp.models import User

    volunteer = db.session.scalar(db.select(User).where(User.role == "volunteer"))
    hostile.is_interview = True
    db.session.add(SurveyAssignment(user_id=volunteer.id, survey_id=hostile.id))
    db.session.commit()
    assert client.get(path.format(slug=hostile.slug)).status_code == 403


@pytest.mark.parametrize("path", DASHBOARD_PAGES)
def test_analysts_see_every_dashboard_page(client, hostile, path):
    sign_in(client, "analyst")
    assert client.get(path.format(slug=hostile.slug)).status_code == 200


def test_unknown_survey_is_404(client, hostile):
    sign_in(client, "analyst")
    assert client.get("/dashboards/no-such-survey/results").status_code == 404
    assert client.get("/dashboards/no-such-survey/export/responses.csv").status_code == 404


def test_survey_access_rule_is_checked_for_the_survey_itself(client, hostile, monkeypatch):
    """Routes ask can_access_survey about the survey in the URL (a rule that says no gives 403)."""
    sign_in(client, "analyst")
    import surveyapp.auth.access as access

    monkeypatch.setattr(access, "can_access_survey", lambda user, survey: survey.slug != "hostile")
    for path in DASHBOARD_PAGES:
        assert client.get(path.format(slug="hostile")).status_code == 403, path


def test_non_responders_are_for_admins_only(client, hostile):
    from surveyapp.services import invitations as invitation_service

    invitation_service.invite(db.session, hostile, contacts=[add_contact("silent@example.org", area="south")])[0]
    db.session.commit()
    sign_in(client, "analyst")
    assert client.get("/dashboards/hostile/non-responders").status_code == 403
    client.post("/logout")
    sign_in(client, "admin")
    page = client.get("/dashboards/hostile/non-responders?attr=area&value=south").get_data(as_text=True)
    assert "silent@example.org" in page and "h1@example.org" not in page


def figures_in(html: str) -> list[dict]:
    blocks = re.findall(
        r'<script type="application/json" class="app-figure" data-target="[^"]+">(.*?)</script>', html, re.S
    )
    return [json.loads(b) for b in blocks]


def test_hostile_labels_and_answers_are_text_in_charts_and_pages(client, hostile):
    sign_in(client, "analyst")
    for path in ("/dashboards/hostile/results?exact=1", "/dashboards/hostile/report", "/dashboards/hostile/text/said"):
        html = client.get(path).get_data(as_text=True)
        assert HOSTILE_LABEL not in html and HOSTILE_TEXT not in html, path
        assert "onerror=alert(1)>" not in html
    html = client.get("/dashboards/hostile/results?exact=1").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the table shows it as text
    figure = next(f for f in figures_in(html) if f["data"][0].get("orientation") == "h")
    labels = " ".join(figure["data"][0]["y"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels and "<img" not in labels
    assert "\\u003c" in html or "&lt;" in html
    text_page = client.get("/dashboards/hostile/text/said").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text_page


def test_figure_json_cannot_end_its_script_block():
    from surveyapp.analysis import charts

    fig = charts.choice_bars(
        [{"value": "x", "label": "</script><script>alert(1)</script>", "count": 3, "percent": 50.0}]
    )
    block = str(charts.figure_json(fig))
    assert "</script" not in block and "<" not in block
    assert "&lt;/script&gt;" in json.loads(block)["data"][0]["y"][0]


def test_plotly_js_is_served_locally_on_dashboard_pages_only(client, hostile, invite):
    sign_in(client, "analyst")
    page = client.get("/dashboards/hostile/results").get_data(as_text=True)
    src = re.search(r'<script src="(/static/dist/plotly\.min\.js\?v=[0-9a-f]{16})" defer>', page).group(1)
    assert "cdn" not in page.lower()
    # No inline script of ours: only JSON data blocks and files (the GOV.UK template's js-enabled line is its own).
    inline = [
        m
        for m in re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>(.*?)</script>", page, re.S)
        if "js-enabled" not in m
    ]
    assert inline == []
    js = client.get(src, headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200 and js.mimetype == "text/javascript"
    # Far-future caching on the versioned URL, and gzip: a co-chair downloads it once per deployment.
    assert js.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert js.headers["Content-Encoding"] == "gzip"
    unzipped = gzip.decompress(js.data)
    assert b"plotly" in unzipped[:2000].lower() and len(js.data) < len(unzipped) / 2
    # The old address sends to the versioned one.
    assert client.get("/dashboards/plotly.min.js").location == src
    _, _, path = invite(hostile)
    respondent_page = client.get(path).get_data(as_text=True)
    assert "plotly" not in respondent_page.lower()


def test_free_text_is_hidden_for_a_small_filtered_group(client, hostile):
    sign_in(client, "analyst")
    small = client.get("/dashboards/hostile/text/said?attr=area&value=nowhere").get_data(as_text=True)
    assert "shown only where more than 7 people answered" in small and 'id="answers"' not in small
    # 9 answers: the count is a figure like any other, so it is rounded too.
    assert "10 answers" in client.get("/dashboards/hostile/text/said").get_data(as_text=True)


def test_exact_figures_switch_is_audited_and_off_by_default(client, hostile):
    sign_in(client, "analyst")
    page = client.get("/dashboards/hostile/results").get_data(as_text=True)
    assert "Disclosure control is on" in page
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "results.exact_figures")
        )
        == 0
    )
    page = client.get("/dashboards/hostile/results?exact=1").get_data(as_text=True)
    assert "Exact figures: not for publication" in page
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "results.exact_figures"))
    assert event is not None and event.actor == "analyst@example.org" and event.survey_id == hostile.id


def test_report_applies_the_policy_and_gives_exact_figures_only_marked_and_audited(client, hostile):
    sign_in(client, "analyst")
    html = client.get("/dashboards/hostile/report").get_data(as_text=True)
    assert 'id="report-respondents">10<' in html  # 9 rounded to 10
    assert "Signed in as" not in html and "Sign out" not in html  # the print layout: no navigation
    assert "app-exact-mark" not in html
    exact = client.get("/dashboards/hostile/report?exact=1").get_data(as_text=True)
    assert 'id="report-respondents">9<' in exact
    assert 'class="app-exact-mark"' in exact and "Exact figures: not for publication" in exact
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "results.exact_figures"))
    assert event is not None and event.target == "report" and event.actor == "analyst@example.org"


def test_rates_page_shows_wilson_interval_and_breakdowns(client, app):
    from surveyapp.demo import load_demo

    load_demo(db.session)
    db.session.commit()
    sign_in(client, "analyst", "analyst2@example.org")
    html = client.get("/dashboards/gp-iapt/?by=pct&exact=1").get_data(as_text=True)
    assert "9.7" in html and "6.4% to 14.5%" in html
    assert 'id="segment-table"' in html and ">North PCT (north)<" in html  # codes with their labels
    assert len(figures_in(html)) >= 4
    interview = client.get("/dashboards/phb-interview/").get_data(as_text=True)
    assert 'id="volunteer-table"' in interview and "volunteer2@example.org" in interview


def test_results_filters_and_cross_tab(client, hostile):
    sign_in(client, "analyst")
    html = client.get("/dashboards/hostile/results?xq=pick&xby=area&exact=1").get_data(as_text=True)
    assert 'id="crosstab-table"' in html and "north (9)" in html
    bad = client.get("/dashboards/hostile/results?from=yesterday").get_data(as_text=True)
    assert "There is a problem" in bad and "must be a date" in bad


def test_read_only_views_open_plain_transactions(client, hostile, app):
    """GET dashboards set g.read_only before the first query (the database layer then skips BEGIN IMMEDIATE);
    an audited export writes its audit row first, then reads in a plain transaction."""
    from flask import g, has_request_context
    from sqlalchemy import event

    begins = []

    def _begin(connection):
        if has_request_context():
            begins.append(bool(g.get("read_only")))

    sign_in(client, "analyst")
    event.listen(db.engine, "begin", _begin)
    try:
        # The test's app context (and session) outlives requests: end its transaction as a new request would.
        db.session.remove()
        g.pop("read_only", None)
        client.get("/dashboards/hostile/results")
        # The sign-in check (auth's before_app_request) may write the session's last_seen_at in its own
        # short transaction first; every transaction of the dashboard view itself is read-only.
        first_read = begins.index(True)
        assert begins[:first_read] in ([], [False]) and set(begins[first_read:]) == {True}
        begins.clear()
        db.session.remove()
        g.pop("read_only", None)
        client.get("/dashboards/hostile/export/responses.csv")
        assert False in begins and begins[-1] is True  # the audit row is written, then a plain read
    finally:
        event.remove(db.engine, "begin", _begin)
