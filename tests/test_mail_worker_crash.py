"""A sending worker killed with SIGKILL mid-batch: after its lease, a fresh worker delivers the rest.

The worker runs as a real `flask mail send --watch` process against the test
database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL) and a real SMTP
server (aiosmtpd) that takes a little time over each message, so the kill lands
in the middle of a batch. Every delivered message is committed before the next
is sent, so at most one message (accepted by the server, not yet recorded) may
arrive twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from smtp_sink import RecordingHandler, SMTPSink
from sqlalchemy import func, select

from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_invitations
from surveyapp.mail.recorder import SentRecorder
from surveyapp.mail.worker import Worker
from surveyapp.models import Contact, Invitation, InvitationEvent, OutboundEmail
from surveyapp.services import invitations as invitation_service

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 60
LEASE_SECONDS = 2


class SlowHandler(RecordingHandler):
    """Accepts every message after a short pause (the worker is mid-batch most of the time)."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.03)
        return await super().handle_DATA(server, session, envelope)


def queue(import_survey, count: int) -> list[str]:
    survey = import_survey("mail_invitation")
    csv = "email,name\n" + "".join(f"gp{n}@practice.example.org,Dr {n}\n" for n in range(count))
    import_contacts(db.session, csv)
    for contact in db.session.scalars(select(Contact).order_by(Contact.id)):
        invitation_service.invite(db.session, survey, contacts=[contact])[0]
    assert queue_invitations(db.session, survey).queued == count
    db.session.commit()
    ids = list(db.session.scalars(select(OutboundEmail.message_id)))
    db.session.commit()  # no transaction left open: the worker process needs the database
    return ids


def states() -> dict[str, int]:
    result = dict(db.session.execute(select(OutboundEmail.status, func.count()).group_by(OutboundEmail.status)).all())
    db.session.commit()
    return result


@pytest.mark.slow
def test_worker_killed_mid_batch_resends_at_most_one_message(app, database_url, import_survey):
    sink = SMTPSink(SlowHandler()).start()
    try:
        message_ids = queue(import_survey, MESSAGES)
        env = dict(
            os.environ,
            SURVEYAPP_ENV="testing",
            DATABASE_URL=database_url,
            SECRET_KEY=app.config["SECRET_KEY"],
            SURVEYAPP_BASE_URL="http://surveys.test",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(sink.port),
            MAIL_TIMEOUT="5",
            MAIL_BATCH_SIZE="100",
            MAIL_LEASE_SECONDS=str(LEASE_SECONDS),
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "send", "--watch", "--poll", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            # Woken by the SMTP server as each message arrives; every half second, check the worker lives.
            while not sink.handler.wait_for(MESSAGES // 3, timeout=0.5):
                assert worker.poll() is None, worker.stdout.read().decode()
                assert time.monotonic() < deadline, "the worker delivered nothing in 60 s"
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        received_at_kill = len(sink.handler.envelopes)
        assert MESSAGES // 3 <= received_at_kill < MESSAGES
        left = states()
        assert left.get("sending", 0) > 0, left  # the kill landed mid-batch: rows left claimed
        # Every message the server accepted before the kill is recorded, bar the one in flight.
        assert left.get("sent", 0) >= received_at_kill - 1, (left, received_at_kill)

        # A fresh worker takes nothing while the lease runs, then delivers the rest in the first pass after it.
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_TIMEOUT=5, MAIL_LEASE_SECONDS=LEASE_SECONDS
        )
        fresh, deadline = Worker(app), time.monotonic() + LEASE_SECONDS + 30
        while (stats := fresh.run_pass()).handled == 0:
            assert states() == left, "a row changed while the lease still held it"
            assert time.monotonic() < deadline, "the lapsed lease was never recovered"
            time.sleep(0.05)  # the polling interval, as `mail send --watch --poll` has one
        assert stats.recovered == left["sending"]
    finally:
        sink.stop()

    assert states() == {"sent": MESSAGES}
    received = Counter(m["Message-ID"] for m in sink.messages)
    assert set(received) == set(message_ids)  # every queued message arrived
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= 1, received.most_common(3)
    # The timeline has one 'emailed' event per invitation, whatever happened.
    emailed = Counter(
        db.session.scalars(select(InvitationEvent.invitation_id).where(InvitationEvent.kind == "emailed"))
    )
    assert len(emailed) == MESSAGES and set(emailed.values()) == {1}


def test_recorder_marks_only_rows_the_worker_still_holds(app, import_survey):
    queue(import_survey, 2)
    mine, theirs = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
    mine.status, mine.claimed_by = "sending", "w1"
    theirs.status, theirs.claimed_by = "sending", "w2"  # our lease lapsed; another worker has it
    db.session.commit()
    outbox = OutboundEmail.__table__
    rows = db.session.execute(
        select(outbox.c.id, outbox.c.invitation_id, outbox.c.survey_id, outbox.c.kind).order_by(outbox.c.id)
    ).all()
    db.session.commit()  # the recorder writes on its own connection
    with SentRecorder(db.engine, "w1") as recorder:
        assert recorder.record(rows[0]) is True
        assert recorder.record(rows[1]) is False
    db.session.expire_all()
    assert (mine.status, theirs.status) == ("sent", "sending")
    assert mine.sent_at is not None and mine.sent_at.tzinfo is not None
    invitation = db.session.get(Invitation, mine.invitation_id)
    assert invitation.emailed_at == invitation.last_emailed_at == mine.sent_at
    assert [e.kind for e in invitation.events] == ["created", "emailed"]
    assert [e.at for e in invitation.events][1] == mine.sent_at
    assert db.session.get(Invitation, theirs.invitation_id).emailed_at is None
