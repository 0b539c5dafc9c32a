"""The invitation tallies (the response-rate dashboard's and the API stats' counts) always equal a fresh
GROUP BY over the raw rows, on every path that moves them, and the figures read from them equal the scan's
(SQLite and PostgreSQL). They are kept by database triggers (models/funnel_tallies.py), so the journey
runs no more statements than before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from auth_helpers import make_user
from dashboard_data import add_contact, respond, start_invited_response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy import inspect as sa_inspect
from test_journey_statements import ANSWERS as JOURNEY_ANSWERS
from test_journey_statements import FOUR_QUESTIONS, counted_statements, whole_journey

from surveyapp.admin.responses import void_response
from surveyapp.analysis import figures, funnel_tallies, queries
from surveyapp.analysis.disclosure import EXACT, Disclosure
from surveyapp.contacts.erasure import erase_contact
from surveyapp.contacts.importer import import_contacts
from surveyapp.contacts.optout import opt_out
from surveyapp.demo import load_demo
from surveyapp.extensions import db
from surveyapp.journey import flow
from surveyapp.mail.outbox import queue_invitations, queue_reminders
from surveyapp.mail.worker import Worker
from surveyapp.models import (
    Contact,
    ContactAttribute,
    Invitation,
    InvitationEvent,
    InvitationTally,
    OutboundEmail,
    Response,
    Survey,
    utcnow,
)
from surveyapp.services import invitations as invitation_service
from surveyapp.services.invitations import record_event, revoke_invitation

#: A whole personal-link journey (the link, start, one page, check, submit, the completion page), as
#: counted on main (aec5406) before the invitation tallies: 22 on PostgreSQL, 23 on SQLite (its answer-tally
#: statement). The invitation tallies are kept by triggers, inside the statements already run.
PERSONAL_LINK_BUDGET = 22


def assert_exact():
    db.session.flush()
    assert funnel_tallies.stored(db.session) == funnel_tallies.fresh(db.session)


def figures_of(survey_id: int) -> dict:
    names = queries.attribute_names(db.session, survey_id)
    out = {
        "funnel": queries.funnel(db.session, survey_id),
        "modes": queries.responses_by_mode(db.session, survey_id),
        "sends": queries.sends_by_day(db.session, survey_id),
    }
    for name in [*names, "nobody-has-this"]:
        rows = queries.funnel_by_attribute(db.session, survey_id, name)
        out[name] = rows
        out[f"{name} funnel"] = queries.funnel(db.session, survey_id, rows)
    return out


def assert_same_as_scan(survey_id: int, monkeypatch):
    assert funnel_tallies.usable(db.session)
    tallied = figures_of(survey_id)
    with monkeypatch.context() as m:
        m.setattr(funnel_tallies, "usable", lambda session: False)
        assert figures_of(survey_id) == tallied


def test_every_path_that_moves_an_invitation_keeps_the_tallies_exact(app, runner, smtp, import_survey, monkeypatch):
    survey = import_survey("mail_invitation")
    survey.reminder_max = 2
    admin = make_user("admin@example.org", "admin")
    import_contacts(
        db.session,
        "email,name,area\n"
        + "".join(f"p{i}@example.org,P {i},{('north', 'south', 'east')[i % 3]}\n" for i in range(7))
        + "none@example.org,No area,\n",
    )
    db.session.commit()
    assert runner.invoke(args=["invitations", "create", survey.slug]).exit_code == 0  # invite (the CLI)
    assert_exact()
    invitations = {i.contact.email: i for i in db.session.scalars(select(Invitation))}
    smtp.handler.fail_rcpt_for["p6@example.org"] = "550 5.1.1 <p6@example.org>: no such user"
    queue_invitations(db.session, survey)
    db.session.commit()
    assert Worker().run_pass().failed == 1  # sent (the recorder's raw statements) and one bounced
    db.session.expire_all()
    assert_exact()
    later = utcnow() + timedelta(days=survey.reminder_interval_days + 1)
    assert queue_reminders(db.session, survey, now=later).queued >= 1  # reminders
    db.session.commit()
    Worker().run_pass()
    db.session.expire_all()
    assert_exact()
    respond(survey, {}, None, complete=False, mode="public")  # a public response, in progress
    assert_exact()
    # open, start, complete (the respond() helper uses the journey's own functions), then void
    first = invitations["p0@example.org"]
    first.first_opened_at = first.started_at = utcnow()
    response = start_invited_response(survey, first)
    assert_exact()
    assert flow.mark_completed(db.session, response)
    assert_exact()
    void_response(db.session, response, admin, "Duplicate")
    assert_exact()
    assert opt_out(db.session, invitations["p1@example.org"], everywhere=True)  # opt-out
    assert_exact()
    revoke_invitation(db.session, invitations["p2@example.org"], "Moved away")  # revoke
    assert_exact()
    # A contact's area changes (import), is given, and is taken away: their invitations move.
    import_contacts(db.session, "email,area,team\np3@example.org,south,a\nnone@example.org,west,b\n")
    assert_exact()
    db.session.execute(delete(ContactAttribute).where(ContactAttribute.name == "team"))
    db.session.execute(update(ContactAttribute).where(ContactAttribute.value == "west").values(value="north"))
    assert_exact()
    erase_contact(db.session, db.session.get(Contact, invitations["p4@example.org"].contact_id))  # erasure
    assert_exact()
    db.session.commit()
    assert_same_as_scan(survey.id, monkeypatch)
    # An event and an invitation deleted (as a survey's deletion would), in bulk statements.
    gone = invitations["p6@example.org"].id
    db.session.execute(delete(InvitationEvent).where(InvitationEvent.invitation_id == gone))
    db.session.execute(delete(OutboundEmail))
    db.session.execute(delete(Invitation).where(Invitation.id == gone))
    assert_exact()
    db.session.execute(delete(Response))
    db.session.execute(delete(InvitationEvent))
    db.session.execute(delete(Invitation))
    assert_exact()
    assert not [row for row in funnel_tallies.stored(db.session).values() if row]


def test_two_bounced_events_of_one_invitation_count_it_once_and_go_in_one_statement(app, import_survey):
    survey = import_survey("mail_invitation")
    contact = add_contact("twice@example.org", area="north")
    invitation = invitation_service.invite(db.session, survey, contacts=[contact])[0]
    db.session.flush()
    rows = [
        {"invitation_id": invitation.id, "survey_id": survey.id, "kind": "bounced", "at": utcnow()} for _ in range(2)
    ]
    db.session.execute(insert(InvitationEvent), rows)
    assert_exact()
    assert queries.funnel(db.session, survey.id)["bounced"] == 1
    db.session.execute(update(InvitationEvent).values(at=utcnow() - timedelta(days=1)))
    assert_exact()
    db.session.execute(delete(InvitationEvent))  # both in one statement
    assert_exact()
    assert queries.funnel(db.session, survey.id)["bounced"] == 0


def test_the_demo_is_tallied_exactly(app, monkeypatch):
    load_demo(db.session, seed=3)
    db.session.commit()
    assert_exact()
    for survey_id in db.session.scalars(select(Survey.id)):
        assert_same_as_scan(survey_id, monkeypatch)


def test_rebuild_and_check_cover_the_invitation_tallies(app, import_survey):
    survey = import_survey("dashboard_mix")
    for i in range(4):
        respond(survey, {"colour": "red"}, add_contact(f"q{i}@example.org", area="north"))
    db.session.commit()
    kept = funnel_tallies.stored(db.session)
    assert funnel_tallies.rebuild(db.session) == len(kept)
    assert funnel_tallies.stored(db.session) == kept
    db.session.execute(InvitationTally.__table__.update().values(n=InvitationTally.n + 1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["tallies", "check"])
    assert result.exit_code == 1 and "invitation" in result.output
    assert app.test_cli_runner().invoke(args=["tallies", "rebuild"]).exit_code == 0
    assert_exact()
    result = app.test_cli_runner().invoke(args=["tallies", "check"])
    assert result.exit_code == 0 and "all equal" in result.output


def test_a_personal_link_journey_runs_no_more_statements_and_is_tallied(app, import_survey, invite):
    survey_id = import_survey("lean", text=FOUR_QUESTIONS).id
    _, _, warm = invite(db.session.get(Survey, survey_id))
    db.session.close()
    whole_journey(app.test_client(), warm)  # fills the questionnaire cache
    _, _, path = invite(db.session.get(Survey, survey_id))
    db.session.close()
    with counted_statements() as statements:
        whole_journey(app.test_client(), path)
    print(f"{len(statements)} SQL statements for a personal-link journey ({db.engine.dialect.name})")
    assert len(statements) <= PERSONAL_LINK_BUDGET + (db.engine.dialect.name == "sqlite"), "\n\n".join(statements)
    assert_exact()
    funnel = queries.funnel(db.session, survey_id)
    assert (funnel["invited"], funnel["opened"], funnel["started"], funnel["completed"]) == (2, 2, 2, 2)
    assert JOURNEY_ANSWERS  # the same four answers as the public journey's budget


# ---------------------------------------------------------------- random sequences of invitation events

EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("invite"), st.sampled_from(["north", "south", "(none)", None])),
        st.tuples(
            st.sampled_from(
                [
                    "email",
                    "remind",
                    "open",
                    "start",
                    "complete",
                    "progress",
                    "void",
                    "opt_out",
                    "bounce",
                    "fail",
                    "revoke",
                    "erase",
                    "drop_attribute",
                    "delete_events",
                    "delete",
                ]
            ),
            st.integers(0, 30),
        ),
        st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(["north", "south", "west"])),
        st.tuples(st.just("public"), st.sampled_from(["public", "interview"]), st.booleans()),
    ),
    min_size=1,
    max_size=16,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
def test_any_sequence_of_invitation_events_leaves_exact_tallies(app, import_survey, monkeypatch, events):
    from conftest import _empty_tables

    _empty_tables()
    survey = import_survey("dashboard_mix")
    admin = make_user("admin@example.org", "admin")
    made: list[int] = []
    when = datetime(2026, 3, 28, 23, 50, tzinfo=UTC)  # across the clocks change, by quarter-hours
    for step, (kind, *args) in enumerate(events):
        when += timedelta(minutes=37)
        if kind == "invite":
            contact = add_contact(f"c{step}@example.org", **({"area": args[0]} if args[0] else {}))
            made.append(invitation_service.invite(db.session, survey, contacts=[contact])[0].id)
        elif kind == "public":
            respond(survey, {"colour": "red"}, None, complete=args[1], mode=args[0], volunteer=admin)
        elif made:
            invitation = db.session.get(Invitation, made[args[0] % len(made)])
            if invitation is None:
                continue
            response = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
            if kind == "email":
                invitation.emailed_at = invitation.emailed_at or when
                invitation.last_emailed_at = when
                record_event(db.session, invitation, "emailed", at=when)
            elif kind == "remind":
                invitation.reminder_count = (invitation.reminder_count or 0) + 1
                record_event(db.session, invitation, "reminded", at=when)
            elif kind == "open":
                invitation.first_opened_at = invitation.first_opened_at or when
            elif kind == "start":
                invitation.started_at = invitation.started_at or when
            elif kind in ("complete", "progress") and response is None:
                response = start_invited_response(survey, invitation)
                if kind == "complete":
                    flow.mark_completed(db.session, response)
            elif kind == "complete" and response.status == "in_progress":
                flow.mark_completed(db.session, response)
            elif kind == "void" and response is not None and response.voided_at is None:
                void_response(db.session, response, admin, "test")
            elif kind == "opt_out":
                opt_out(db.session, invitation)
            elif kind in ("bounce", "fail"):
                column, event = ("bounced_at", "bounced") if kind == "bounce" else ("failed_at", "failed")
                db.session.flush()
                db.session.execute(update(Invitation).where(Invitation.id == invitation.id).values({column: when}))
                db.session.execute(
                    insert(InvitationEvent).values(
                        invitation_id=invitation.id, survey_id=survey.id, kind=event, at=when
                    )
                )
                db.session.expire(invitation)
            elif kind == "revoke" and invitation.revoked_at is None and invitation.completed_at is None:
                revoke_invitation(db.session, invitation)
            elif kind == "erase":
                erase_contact(db.session, db.session.get(Contact, invitation.contact_id))
            elif kind == "move":
                contact = db.session.get(Contact, invitation.contact_id)
                if contact.email:
                    import_contacts(db.session, f"email,area\n{contact.email},{args[1]}\n")
            elif kind == "drop_attribute":
                db.session.flush()
                db.session.execute(delete(ContactAttribute).where(ContactAttribute.contact_id == invitation.contact_id))
                db.session.expire_all()
            elif kind == "delete_events":
                db.session.flush()
                db.session.execute(delete(InvitationEvent).where(InvitationEvent.invitation_id == invitation.id))
                db.session.expire_all()
            elif kind == "delete" and response is None:
                db.session.delete(invitation)
        db.session.flush()
    db.session.commit()
    assert_exact()
    assert_same_as_scan(survey.id, monkeypatch)


# ---------------------------------------------------------------- the figures under disclosure control


def test_funnel_figures_under_disclosure_control_are_the_same_from_tallies(app, import_survey, monkeypatch):
    survey = import_survey("dashboard_mix")
    for i in range(14):
        contact = add_contact(f"d{i}@example.org", **({"area": ("north", "south", "east")[i % 3]} if i % 5 else {}))
        if i % 4:
            respond(survey, {"colour": "red"}, contact, complete=bool(i % 3))
        else:
            invitation_service.invite(db.session, survey, contacts=[contact])
    respond(survey, {"colour": "blue"}, None, mode="public")
    db.session.commit()

    def everything():
        out = []
        for d in (EXACT, Disclosure(threshold=3, rounding=2), Disclosure(threshold=5, rounding=5)):
            breakdown = figures.breakdown_figures(db.session, survey, d, "area")
            out += [
                breakdown,
                figures.funnel_figures(db.session, survey, d, breakdown),
                figures.funnel_figures(db.session, survey, d),
                figures.mode_figures(db.session, survey, d),
            ]
        return out

    tallied = everything()
    monkeypatch.setattr(funnel_tallies, "usable", lambda session: False)
    assert everything() == tallied


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Chatham", "America/St_Johns"])
def test_sends_are_counted_on_the_local_day_in_any_zone(app, import_survey, monkeypatch, zone):
    app.config["SURVEYAPP_TIMEZONE"] = zone
    survey = import_survey("dashboard_mix")
    invitation = invitation_service.invite(db.session, survey, contacts=[add_contact("z@example.org")])[0]
    start = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)
    for k in range(40):
        record_event(db.session, invitation, "emailed" if k % 3 else "reminded", at=start + timedelta(minutes=29 * k))
    db.session.commit()
    assert_same_as_scan(survey.id, monkeypatch)


def test_the_migration_makes_the_triggers_and_counts_what_is_there(tmp_path, database_url):
    """Upgrade to 0027, add an invitation the old way, upgrade: counted by the backfill, then kept by the
    triggers; downgrade: gone, table, triggers and state row."""
    from flask_migrate import downgrade, upgrade
    from test_config_and_database import _fresh_postgres_database

    from surveyapp import create_app

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/migrated.db"
    else:
        url = _fresh_postgres_database(database_url, "t_funnel_migration_check")
    app = create_app({"SURVEYAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0027_survey_images")
        from surveyapp.services.surveys import import_definition

        survey = import_definition(db.session, FOUR_QUESTIONS).survey
        contact = Contact(email="m@example.org")
        contact.attributes = [ContactAttribute(name="area", value="north")]
        db.session.add(contact)
        db.session.flush()
        invitation_service.invite(db.session, survey, contacts=[contact])
        db.session.commit()
        upgrade()
        assert funnel_tallies.usable(db.session)
        assert funnel_tallies.stored(db.session) == funnel_tallies.fresh(db.session)
        assert {k[1:4]: n for k, n in funnel_tallies.stored(db.session).items()} == {
            ("", "", "invited"): 1,
            ("area", "north", "invited"): 1,
        }
        db.session.execute(text("UPDATE invitation SET first_opened_at = CURRENT_TIMESTAMP"))
        db.session.execute(text("UPDATE contact_attribute SET value = 'south'"))
        assert funnel_tallies.stored(db.session) == funnel_tallies.fresh(db.session)
        assert funnel_tallies.stored(db.session)[(survey.id, "area", "south", "opened", "")] == 1
        db.session.commit()
        downgrade(revision="0027_survey_images")
        db.session.execute(text("UPDATE invitation SET emailed_at = CURRENT_TIMESTAMP"))  # no trigger left
        db.session.commit()
        assert "invitation_tally" not in sa_inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
