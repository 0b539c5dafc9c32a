"""Invitations and reminders delivered over real SMTP (aiosmtpd on 127.0.0.1), failures and recovery."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from conftest import TEST_DATABASE_URL, need
from smtp_sink import RendezvousHandler, SMTPSink, body_text
from sqlalchemy import func, select, update

from surveyapp.contacts.importer import import_contacts
from surveyapp.contacts.optout import opt_out
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_invitations, queue_reminders
from surveyapp.mail.worker import CAPTURED, Worker
from surveyapp.models import AuditEvent, Contact, Invitation, OutboundEmail, utcnow

LINK = re.compile(r"http://surveys\.test(/s/[A-Za-z0-9_-]{43})\b")


@pytest.fixture
def survey(import_survey):
    return import_survey("mail_invitation")


def invite(runner, survey, emails):
    csv = "email,name,pct\n" + "".join(f"{e},Dr {e.split('@')[0].title()},north\n" for e in emails)
    import_contacts(db.session, csv)
    db.session.commit()
    result = runner.invoke(args=["invitations", "create", survey.slug])
    assert result.exit_code == 0, result.output
    return {i.contact.email: i for i in db.session.scalars(select(Invitation))}


def outbox_states():
    return dict(db.session.execute(select(OutboundEmail.status, func.count()).group_by(OutboundEmail.status)).all())


def message_ids(sink):
    return [m["Message-ID"] for m in sink.messages]


def test_invite_run_delivers_personal_links_that_open_the_survey(app, client, runner, smtp, survey):
    invitations = invite(runner, survey, ["ann@example.org", "ben@example.org", "cat@example.org"])
    result = runner.invoke(args=["invitations", "send", survey.slug])
    assert result.output.strip() == "3 invitation email(s) queued for mail-test"
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 3, retrying 0, failed 0"

    received = {m["To"]: m for m in smtp.messages}
    assert sorted(received) == ["ann@example.org", "ben@example.org", "cat@example.org"]
    message = received["ben@example.org"]
    assert message["Subject"] == "Please take part: Practice feedback <2026>"
    assert body_text(message).startswith("Dear Dr Ben,")
    path = LINK.search(body_text(message)).group(1)
    assert message["List-Unsubscribe"] == f"<http://surveys.test{path}/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == "ben@example.org"))
    assert message["Message-ID"] == row.message_id and row.status == "sent"

    # Follow the link from the received message to the survey page.
    page = client.get(path)
    assert page.status_code == 200
    assert "Practice feedback &lt;2026&gt;" in page.get_data(as_text=True)
    invitation = db.session.get(Invitation, invitations["ben@example.org"].id)
    assert invitation.emailed_at is not None and invitation.first_opened_at is not None
    kinds = [e.kind for e in invitation.events]
    assert kinds[:2] == ["created", "emailed"] and "opened" in kinds
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"invitations.create", "invitations.send", "mail.send"} <= actions


def test_sending_twice_queues_and_delivers_each_invitation_once(app, runner, smtp, survey):
    invite(runner, survey, ["ann@example.org", "ben@example.org"])
    assert queue_invitations(db.session, survey).queued == 2
    assert queue_invitations(db.session, survey).queued == 0
    db.session.commit()
    Worker().run_pass()
    assert (
        runner.invoke(args=["invitations", "send", survey.slug]).output.strip()
        == "0 invitation email(s) queued for mail-test"
    )
    assert Worker().run_pass().handled == 0
    assert len(smtp.messages) == 2


def test_invitations_create_selects_by_list_and_attributes(app, runner, survey):
    import_contacts(
        db.session, "email,pct,lang\na@example.org,north,en\nb@example.org,south,en\nc@example.org,north,cy\n", "wave1"
    )
    import_contacts(db.session, "email,pct\nd@example.org,north\n")
    db.session.commit()
    result = runner.invoke(args=["invitations", "create", survey.slug, "--list", "wave1", "--where", "pct=north"])
    assert result.exit_code == 0 and len(result.output.split()) == 2
    invited = set(db.session.scalars(select(Contact.email).join(Invitation, Invitation.contact_id == Contact.id)))
    assert invited == {"a@example.org", "c@example.org"}
    result = runner.invoke(
        args=[
            "invitations",
            "create",
            survey.slug,
            "--where",
            "pct=north",
            "--where",
            "pct=south",
            "--where",
            "lang=en",
        ]
    )
    assert len(result.output.split()) == 1  # b; a is invited already, c and d do not match
    result = runner.invoke(args=["invitations", "create", survey.slug, "--where", "pct"])
    assert result.exit_code == 1 and "ATTRIBUTE=VALUE" in result.output
    result = runner.invoke(args=["invitations", "create", survey.slug, "--list", "nope"])
    assert result.exit_code == 1 and "no contact list called “nope”" in result.output


def test_reminders_go_only_to_non_completers_within_the_limits(app, runner, smtp, survey):
    people = ["done", "optout", "everywhere", "due", "recent"]
    invitations = invite(runner, survey, [f"{p}@example.org" for p in people])
    queue_invitations(db.session, survey)
    db.session.commit()
    Worker().run_pass()
    now = utcnow()
    ids = {p: invitations[f"{p}@example.org"].id for p in people}
    db.session.execute(update(Invitation).values(last_emailed_at=now - timedelta(days=8)))
    db.session.execute(
        update(Invitation).where(Invitation.id == ids["recent"]).values(last_emailed_at=now - timedelta(days=3))
    )
    db.session.execute(update(Invitation).where(Invitation.id == ids["done"]).values(completed_at=now))
    opt_out(db.session, db.session.get(Invitation, ids["optout"]))
    opt_out(db.session, db.session.get(Invitation, ids["everywhere"]), everywhere=True)
    db.session.commit()

    def remind(at):
        result = queue_reminders(db.session, survey, now=at)
        db.session.commit()
        return result.queued

    assert remind(now) == 1
    assert remind(now) == 0  # not again within 7 days
    assert remind(now + timedelta(days=6)) == 1  # "recent" is now due; "due" is not
    assert remind(now + timedelta(days=8)) == 1  # "due" gets its second
    assert remind(now + timedelta(days=30)) == 1  # "recent" its second; "due" has had its 2
    assert remind(now + timedelta(days=60)) == 0
    Worker().run_pass()

    due = db.session.get(Invitation, ids["due"])
    assert due.reminder_count == 2
    assert [e.kind for e in due.events].count("reminded") == 2
    reminders = [m for m in smtp.messages if m["Subject"].startswith("Reminder:")]
    assert sorted(m["To"] for m in reminders) == ["due@example.org"] * 2 + ["recent@example.org"] * 2
    assert all(db.session.get(Invitation, ids[p]).reminder_count == 0 for p in ("done", "optout", "everywhere"))


def test_remind_cli_reports_the_limits(app, runner, survey):
    result = runner.invoke(args=["invitations", "remind", survey.slug])
    assert result.exit_code == 0
    assert result.output.strip() == "0 reminder(s) queued for mail-test (at most 2 per invitation, 7 days apart)"


def test_opting_out_cancels_queued_mail(app, runner, smtp, survey):
    invitations = invite(runner, survey, ["ann@example.org", "ben@example.org"])
    queue_invitations(db.session, survey)
    opt_out(db.session, invitations["ann@example.org"])
    db.session.commit()
    stats = Worker().run_pass()
    assert stats.sent == 1 and [m["To"] for m in smtp.messages] == ["ben@example.org"]
    cancelled = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == "ann@example.org"))
    assert cancelled.status == "failed" and "opted out" in cancelled.last_error


def test_smtp_server_down_then_up_delivers_every_message_once(app, runner, smtp, survey):
    invite(runner, survey, [f"p{n}@example.org" for n in range(5)])
    queue_invitations(db.session, survey)
    db.session.commit()
    smtp.stop()
    stats = Worker().run_pass()
    assert (stats.sent, stats.retrying) == (0, 5)
    rows = list(db.session.scalars(select(OutboundEmail)))
    assert all(r.status == "retrying" and r.attempts == 1 and "Connection refused" in r.last_error for r in rows)
    assert all(timedelta(seconds=50) < r.next_attempt_at - utcnow() <= timedelta(seconds=60) for r in rows)
    assert Worker().run_pass().handled == 0  # waiting out the delay

    smtp.start()
    result = runner.invoke(args=["mail", "send", "--retry-now"])
    assert result.exit_code == 0, result.output
    assert "sent 5, retrying 0, failed 0" in result.output
    assert sorted(message_ids(smtp)) == sorted(r.message_id for r in rows)
    assert len(set(message_ids(smtp))) == 5
    assert outbox_states() == {"sent": 5}
    assert Worker().run_pass().handled == 0


def test_server_closing_the_connection_mid_batch_loses_and_duplicates_nothing(app, runner, smtp, survey):
    invite(runner, survey, [f"p{n}@example.org" for n in range(6)])
    queue_invitations(db.session, survey)
    db.session.commit()
    smtp.handler.fail_after = 2
    stats = Worker().run_pass()
    assert (stats.sent, stats.retrying) == (2, 4)
    smtp.handler.fail_after = None
    runner.invoke(args=["mail", "send", "--retry-now"])
    assert len(smtp.messages) == 6 and len(set(message_ids(smtp))) == 6
    assert outbox_states() == {"sent": 6}


def test_permanent_5xx_marks_the_message_failed_and_the_invitation_bounced(app, runner, smtp, survey):
    invitations = invite(runner, survey, ["gone@example.org", "ok@example.org"])
    smtp.handler.fail_rcpt_for["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    queue_invitations(db.session, survey)
    db.session.commit()
    stats = Worker().run_pass()
    assert (stats.sent, stats.failed) == (1, 1)
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == "gone@example.org"))
    assert row.status == "failed" and row.last_error == "550 5.1.1 <gone@example.org>: no such user"
    invitation = db.session.get(Invitation, invitations["gone@example.org"].id)
    assert invitation.bounced_at is not None and invitation.failed_at is None and invitation.emailed_at is None
    bounced = [e for e in invitation.events if e.kind == "bounced"]
    assert len(bounced) == 1 and "550 5.1.1" in bounced[0].detail
    assert Worker().run_pass().handled == 0  # a failed message is not retried


def test_a_bounced_reminder_stops_further_reminders(app, runner, smtp, survey):
    survey.reminder_max = 3
    db.session.commit()
    invitations = invite(runner, survey, ["ann@example.org", "ben@example.org"])
    queue_invitations(db.session, survey)
    db.session.commit()
    assert Worker().run_pass().sent == 2
    smtp.handler.fail_rcpt_for["ann@example.org"] = "550 5.1.1 <ann@example.org>: mailbox gone"
    later = utcnow() + timedelta(days=survey.reminder_interval_days + 1)
    assert queue_reminders(db.session, survey, now=later).queued == 2
    db.session.commit()
    assert (Worker().run_pass().failed, len(smtp.messages)) == (1, 3)
    ann = db.session.get(Invitation, invitations["ann@example.org"].id)
    assert ann.bounced_at is not None
    # Ben gets his second reminder; Ann, whose address bounced, gets none.
    even_later = later + timedelta(days=survey.reminder_interval_days + 1)
    assert queue_reminders(db.session, survey, now=even_later).queued == 1
    db.session.commit()
    assert Worker().run_pass().sent == 1
    assert smtp.messages[-1]["To"] == "ben@example.org"


def test_temporary_4xx_is_retried_with_growing_delays(app, runner, smtp, survey):
    invite(runner, survey, ["ann@example.org"])
    queue_invitations(db.session, survey)
    db.session.commit()
    smtp.handler.fail_data = "451 4.3.0 Try again later"
    delays = []
    for _ in range(3):
        runner.invoke(args=["mail", "send", "--retry-now"])
        row = db.session.scalar(select(OutboundEmail))
        db.session.refresh(row)
        assert row.status == "retrying" and row.last_error == "451 4.3.0 Try again later"
        delays.append(round((row.next_attempt_at - utcnow()).total_seconds() / 60))
    assert delays == [1, 5, 30]
    smtp.handler.fail_data = None
    runner.invoke(args=["mail", "send", "--retry-now"])
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 4 and len(smtp.messages) == 1


def test_rows_left_sending_by_a_crashed_worker_are_resent_with_the_same_message_id(app, runner, smtp, survey):
    invite(runner, survey, ["ann@example.org", "ben@example.org"])
    queue_invitations(db.session, survey)
    db.session.commit()
    claimed, _ = Worker(worker_id="crashed").claim_batch(utcnow())  # ... and then the process died
    assert len(claimed) == 2 and outbox_states() == {"sending": 2}
    assert Worker().run_pass().handled == 0  # still within the lease
    db.session.execute(update(OutboundEmail).values(claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    stats = Worker().run_pass()
    assert (stats.sent, stats.recovered) == (2, 2)
    assert sorted(message_ids(smtp)) == sorted(r.message_id for r in claimed)
    assert outbox_states() == {"sent": 2}


def test_without_mail_server_messages_are_captured_not_sent(app, runner, survey):
    app.config["MAIL_SERVER"] = None
    invite(runner, survey, ["ann@example.org"])
    queue_invitations(db.session, survey)
    db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert "captured" in result.output and "sent 1" in result.output
    row = db.session.scalar(select(OutboundEmail))
    assert row.status == "sent" and row.last_error == CAPTURED


def test_a_closed_survey_sends_nothing(app, runner, survey):
    invite(runner, survey, ["ann@example.org"])
    runner.invoke(args=["surveys", "close", survey.slug])
    result = runner.invoke(args=["invitations", "send", survey.slug])
    assert result.exit_code == 1 and "open it before sending" in result.output
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0


def _two_workers_never_send_the_same_message(app, runner, smtp, survey):
    """Both workers really run side by side (the SMTP server holds each first message until both are
    connected), each delivers some messages, and no message is delivered twice."""
    invite(runner, survey, [f"p{n}@example.org" for n in range(40)])
    queue_invitations(db.session, survey)
    db.session.commit()
    smtp = SMTPSink(RendezvousHandler(connections=2)).start()
    app.config.update(MAIL_BATCH_SIZE=3, MAIL_PORT=smtp.port, MAIL_TIMEOUT=10)
    results, errors = [], []

    def work():
        try:
            with app.app_context():
                results.append(Worker().run_pass())
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        smtp.stop()
    assert not errors
    assert len(results) == 2 and all(r.sent >= 1 for r in results), [r.summary() for r in results]
    assert sum(r.sent for r in results) == 40
    assert len(smtp.messages) == 40 and len(set(message_ids(smtp))) == 40  # none twice
    assert len(smtp.handler.by_session) >= 2  # over two SMTP connections at once
    senders = dict(
        db.session.execute(select(OutboundEmail.claimed_by, func.count()).group_by(OutboundEmail.claimed_by)).all()
    )
    assert len(senders) == 2 and min(senders.values()) >= 1, senders  # each worker delivered some
    assert outbox_states() == {"sent": 40}


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_send_the_same_message(app, runner, smtp, survey):
    need(
        bool(TEST_DATABASE_URL) and db.engine.dialect.name == "postgresql",
        "TEST_DATABASE_URL must point at PostgreSQL for the SKIP LOCKED test",
    )
    _two_workers_never_send_the_same_message(app, runner, smtp, survey)


@pytest.mark.sqlite_only
def test_two_workers_on_sqlite_never_send_the_same_message(app, runner, smtp, survey):
    need(db.engine.dialect.name == "sqlite", "the SQLite claim (BEGIN IMMEDIATE) needs SQLite")
    _two_workers_never_send_the_same_message(app, runner, smtp, survey)
