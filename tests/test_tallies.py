"""The dashboards' answer tallies always equal a fresh GROUP BY over the raw rows, and the dashboards
show exactly the same figures from them as from a scan of every answer (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from auth_helpers import make_user, sign_in
from dashboard_data import add_contact, at, respond
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyapp.admin.responses import void_response
from surveyapp.analysis import figures, funnel_tallies, queries, tallies
from surveyapp.analysis.disclosure import EXACT, Disclosure
from surveyapp.contacts.erasure import erase_contact
from surveyapp.contacts.importer import import_contacts
from surveyapp.contacts.optout import opt_out
from surveyapp.demo import load_demo
from surveyapp.extensions import db
from surveyapp.journey import flow
from surveyapp.models import AnswerTally, Contact, Response, Survey
from surveyapp.services.invitations import invite, record_event, revoke_invitation

FILTERS = [
    queries.Filters(),
    queries.Filters(attribute="area", values=("north",)),
    queries.Filters(attribute="area", values=("north", "south"), mode="link"),
    queries.Filters(mode="public"),
    queries.Filters(date_from=date(2026, 3, 11)),
    queries.Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 10)),
    queries.Filters(attribute="area", values=("south",), date_to=date(2026, 3, 15), version=1),
    queries.Filters(version=2),
]
ANSWERS = [
    {"colour": "red", "pets": ["cat", "dog"], "agree": "agree", "score": 8, "visits": 2, "when": date(2026, 3, 1)},
    {"colour": "blue", "pets": ["fish"], "score": 3, "visits": 6, "comment": "Fine", "ok": "no"},
    {"colour": "red", "score": 10, "ok": "yes", "when": date(2026, 2, 27)},
    {"colour": "blue", "pets": ["dog"], "agree": "disagree", "visits": 0},
    {"ok": "yes"},
]


def assert_exact():
    db.session.flush()
    assert tallies.stored(db.session) == tallies.fresh(db.session)


def assert_same_as_scan(survey_id: int):
    for filters in FILTERS:
        assert queries.distributions(db.session, survey_id, filters, strategy="tallies") == queries.distributions(
            db.session, survey_id, filters, strategy="direct"
        ), filters
        assert queries.respondent_count(db.session, survey_id, filters) == queries._scanned_count(
            db.session, survey_id, filters
        )


def test_tallies_follow_submits_voids_date_changes_imports_and_erasure(app, import_survey):
    survey = import_survey("dashboard_mix")
    admin = make_user("admin@example.org", "admin")
    people = [add_contact(f"p{i}@example.org", area=("north", "south")[i % 2]) for i in range(6)]
    responses = [respond(survey, ANSWERS[i % 5], people[i], submitted_at=at(f"2026-03-{10 + i}")) for i in range(6)]
    assert tallies.usable(db.session)
    assert_exact()
    respond(survey, ANSWERS[1], mode="public")
    respond(survey, ANSWERS[2], mode="interview", volunteer=admin, submitted_at=at("2026-03-09"))
    waiting = respond(survey, ANSWERS[3], add_contact("later@example.org", area="east"), complete=False)
    assert_exact()
    void_response(db.session, responses[0], admin, "Duplicate")
    assert_exact()
    responses[1].submitted_at = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 1 April in London (summer time)
    assert_exact()
    assert flow.mark_completed(db.session, waiting)  # completed later, by the journey's own function
    assert_exact()
    # A contact import moves people between segments, and gives one a new attribute.
    import_contacts(db.session, "email,area,team\np1@example.org,east,a\np2@example.org,south,b\n")
    assert_exact()
    east = queries.Filters(attribute="area", values=("east",))
    assert queries.respondent_count(db.session, survey.id, east) == 2  # p1, moved, and later@, completed
    erase_contact(db.session, db.session.get(Contact, people[3].id))
    assert_exact()
    db.session.commit()
    assert_exact()
    assert_same_as_scan(survey.id)
    assert tallies.rebuild(db.session) == len(tallies.fresh(db.session))
    assert_exact()


def test_rebuild_equals_the_kept_tallies_and_repairs_a_broken_one(app, import_survey):
    survey = import_survey("dashboard_mix")
    for i in range(4):
        respond(survey, ANSWERS[i], add_contact(f"q{i}@example.org", area="north"), submitted_at=at("2026-03-10"))
    db.session.commit()
    kept = tallies.stored(db.session)
    tallies.rebuild(db.session)
    assert tallies.stored(db.session) == kept
    db.session.execute(AnswerTally.__table__.update().values(n=AnswerTally.n + 1))
    assert tallies.stored(db.session) != tallies.fresh(db.session)
    result = app.test_cli_runner().invoke(args=["tallies", "check"])
    assert result.exit_code == 1 and "differ" in result.output
    assert app.test_cli_runner().invoke(args=["tallies", "rebuild"]).exit_code == 0
    assert_exact()
    result = app.test_cli_runner().invoke(args=["tallies", "check"])
    assert result.exit_code == 0 and "all equal" in result.output


def test_the_demo_and_its_dashboards_come_from_exact_tallies(app):
    load_demo(db.session, seed=3)
    db.session.commit()
    assert_exact()


def test_a_new_time_zone_makes_the_dashboards_scan_until_the_tallies_are_rebuilt(app, import_survey):
    survey = import_survey("dashboard_mix")
    respond(survey, ANSWERS[0], add_contact("late@example.org", area="north"), submitted_at=at("2026-03-10"))
    db.session.commit()
    assert tallies.usable(db.session)
    app.config["SURVEYAPP_TIMEZONE"] = "America/New_York"
    assert not tallies.usable(db.session)
    tallies.rebuild(db.session)
    assert tallies.usable(db.session)
    assert_exact()


# ---------------------------------------------------------------- random sequences of operations

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("respond"),
            st.sampled_from(["north", "south", "east", None]),  # None: no attribute
            st.sampled_from(["link", "public", "interview"]),
            st.integers(0, len(ANSWERS) - 1),
            st.booleans(),  # completed, or left in progress
            st.integers(0, 40),  # day offset of the submit, around the clocks change (29 March 2026)
        ),
        st.tuples(st.just("void"), st.integers(0, 50)),
        st.tuples(st.just("complete"), st.integers(0, 50)),
        st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(["north", "south", "west"])),
        st.tuples(st.just("erase"), st.integers(0, 50)),
        st.tuples(st.just("redate"), st.integers(0, 50), st.integers(0, 40 * 96)),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_sequence_of_operations_leaves_exact_tallies(app, import_survey, operations):
    from conftest import _empty_tables

    _empty_tables()
    survey = import_survey("dashboard_mix")
    volunteer = make_user("volunteer@example.org", "volunteer")
    made: list[Response] = []
    for step, operation in enumerate(operations):
        kind, *args = operation
        if kind == "respond":
            area, mode, answers, complete, offset = args
            contact = None
            if mode == "link":
                contact = add_contact(f"c{step}@example.org", **({"area": area} if area else {}))
            when = datetime(2026, 3, 1, 12, tzinfo=UTC) + timedelta(days=offset)
            made.append(
                respond(
                    survey,
                    ANSWERS[answers],
                    contact,
                    complete=complete,
                    mode=mode,
                    volunteer=volunteer if mode == "interview" else None,
                    submitted_at=when,
                )
            )
        elif not made:
            continue
        else:
            response = made[args[0] % len(made)]
            if kind == "void" and response.voided_at is None:
                void_response(db.session, response, volunteer, "test")
            elif kind == "complete" and response.status == "in_progress":
                flow.mark_completed(db.session, response)
            elif kind == "move" and response.invitation is not None:
                contact = db.session.get(Contact, response.invitation.contact_id)
                if contact.email:
                    import_contacts(db.session, f"email,area\n{contact.email},{args[1]}\n")
            elif kind == "erase" and response.invitation is not None:
                erase_contact(db.session, db.session.get(Contact, response.invitation.contact_id))
            elif kind == "redate" and response.submitted_at is not None:
                response.submitted_at = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=15 * args[1])
        db.session.flush()
    db.session.commit()
    assert_exact()
    assert_same_as_scan(survey.id)


# ---------------------------------------------------------------- the pages, from tallies and from a scan

NONCE = re.compile(r'nonce="[^"]*"')


@pytest.fixture
def analyst_client(app, client, import_survey):
    survey = import_survey("dashboard_mix")
    admin = make_user("admin@example.org", "admin")
    for i, values in enumerate(ANSWERS * 3):
        response = respond(
            survey,
            values,
            add_contact(f"r{i}@example.org", area=("north", "south", "east")[i % 3]) if i % 4 else None,
            mode="link" if i % 4 else "public",
            submitted_at=at(f"2026-03-{5 + i:02d}"),
            complete=i % 7 != 3,
        )
        if i == 5:
            void_response(db.session, response, admin, "Duplicate")
    # The rest of the funnel: invited only, reminded, opted out, bounced, revoked, people without an area.
    for i in range(9):
        contact = add_contact(
            f"w{i}@example.org", **({"area": ("north", "west")[i % 2], "team": f"t{i % 2}"} if i % 3 else {})
        )
        invitation = invite(db.session, survey, contacts=[contact])[0]
        invitation.emailed_at = invitation.last_emailed_at = at(f"2026-03-{3 + i:02d}")
        record_event(db.session, invitation, "emailed", at=invitation.emailed_at)
        if i % 2:
            invitation.reminder_count = 1
            record_event(db.session, invitation, "reminded", at=at(f"2026-03-{12 + i:02d}"))
        if i in (1, 4):
            opt_out(db.session, invitation)
        if i == 2:
            invitation.bounced_at = at("2026-03-04")
            record_event(db.session, invitation, "bounced", at=invitation.bounced_at)
        if i == 6:
            revoke_invitation(db.session, invitation, "Moved away")
    db.session.commit()
    sign_in(client, make_user("analyst@example.org", "analyst"))
    return client


PAGES = [
    "/dashboards/dash-mix/",
    "/dashboards/dash-mix/?by=area",
    "/dashboards/dash-mix/results",
    "/dashboards/dash-mix/results?exact=1",
    "/dashboards/dash-mix/results?attr=area&value=north&mode=link&from=2026-03-06&to=2026-03-15",
    "/dashboards/dash-mix/results?attr=area&value=south&value=east",
    "/dashboards/dash-mix/results?version=1&mode=public",
    "/dashboards/dash-mix/results?xq=colour&xby=area",
    "/dashboards/dash-mix/?by=team",
    "/dashboards/dash-mix/?exact=1",
    "/dashboards/dash-mix/report",
    "/api/surveys/dash-mix/stats",
    "/api/surveys/dash-mix/stats?by=area",
    "/api/surveys/dash-mix/stats?by=area&exact=1",
    "/api/surveys/dash-mix/stats?by=collection_mode",
    "/api/surveys/dash-mix/stats?by=volunteer",
    "/api/surveys/dash-mix/results",
    "/api/surveys/dash-mix/results?mode=link&from=2026-03-06&to=2026-03-15",
    "/api/surveys/dash-mix/results?attr=area&value=north",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_dashboard_endpoint_shows_the_same_figures_as_the_scan(analyst_client, path, monkeypatch):
    from_tallies = analyst_client.get(path)
    assert from_tallies.status_code == 200
    monkeypatch.setattr(tallies, "usable", lambda session: False)
    monkeypatch.setattr(funnel_tallies, "usable", lambda session: False)  # the invitation tallies too
    scanned = analyst_client.get(path)
    assert NONCE.sub("", from_tallies.get_data(as_text=True)) == NONCE.sub("", scanned.get_data(as_text=True))


def test_figures_under_disclosure_control_are_the_same_from_tallies(analyst_client, monkeypatch):
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == "dash-mix"))
    survey_id = survey.id
    policies = [EXACT, Disclosure(threshold=3, rounding=2)]
    before = {}
    for d in policies:
        for filters in FILTERS:
            before[(id(d), filters)] = figures.question_results(db.session, survey, d, filters)
    assert queries.completions_by_day(db.session, survey_id)
    days = queries.completions_by_day(db.session, survey_id)
    monkeypatch.setattr(tallies, "usable", lambda session: False)
    for d in policies:
        for filters in FILTERS:
            assert figures.question_results(db.session, survey, d, filters) == before[(id(d), filters)]
    assert queries.completions_by_day(db.session, survey_id) == days


def test_a_response_changed_after_its_attributes_expired_is_taken_away_as_it_was(app, import_survey):
    survey = import_survey("dashboard_mix")
    response = respond(survey, ANSWERS[0], add_contact("x@example.org", area="north"), submitted_at=at("2026-03-10"))
    db.session.commit()  # every attribute expires: the old values are not in memory
    response.submitted_at = at("2026-03-20")
    assert_exact()
    db.session.commit()
    response.voided_at = datetime(2026, 3, 21, tzinfo=UTC)
    assert_exact()


def test_a_completed_response_without_a_submit_time_is_tallied_under_no_day(app, import_survey):
    """Old or hand-made rows may say completed with no submitted_at: counted, under the day '', never an error."""
    survey = import_survey("dashboard_mix")
    response = respond(survey, ANSWERS[0], add_contact("y@example.org", area="south"), submitted_at=at("2026-03-10"))
    db.session.commit()
    response.submitted_at = None
    assert_exact()
    db.session.commit()
    counted = db.select(AnswerTally.day).where(AnswerTally.survey_id == survey.id, AnswerTally.n != 0)
    assert set(db.session.scalars(counted)) == {""}
    assert_same_as_scan(survey.id)
    assert queries.completions_by_day(db.session, survey.id) == []  # on no day, as the scan says
