"""The sending worker: claim queued rows, deliver them over SMTP with Flask-Mail, record the outcome.

Promises:
- rows are claimed in batches in their own short transaction (PostgreSQL:
  `SELECT ... FOR UPDATE SKIP LOCKED`, so several workers never take the same
  row; SQLite: the transaction starts with BEGIN IMMEDIATE, which serialises
  claims); a batch goes over ONE SMTP connection;
- every SMTP operation has a timeout (MAIL_TIMEOUT), and TLS/SSL uses a
  verified context (`ssl.create_default_context()`), which Flask-Mail alone does not;
- the outcome of each message is committed as soon as the server answers and
  before the next message is sent (recorder.py), so a worker killed at any moment
  can re-send at most ONE message: the one between the server's 250 and our
  commit; rows left in 'sending' longer than
  MAIL_LEASE_SECONDS (a crashed worker) are claimed again and re-sent with the
  same Message-ID, so a duplicate after a crash can be recognised;
- temporary failures (refused or lost connection, timeouts, 4xx) wait with
  growing delays; 5xx replies mark the message failed with the server's reply
  and its invitation bounced (no more reminders); giving up after MAX_ATTEMPTS
  marks the invitation failed;
- MAIL_RATE_LIMIT (messages a second, 0 = none) paces sending;
- without MAIL_SERVER (development only: production refuses to start), messages
  are "captured": marked sent without SMTP and shown on the admin's captured page.
"""

from __future__ import annotations

import logging
import os
import signal
import smtplib
import socket
import ssl
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message, email_dispatched
from sqlalchemy import and_, case, insert, or_, select, update

from ..audit import record_audit
from ..extensions import db, mail
from ..models import EmailStatus, Invitation, InvitationEvent, InvitationEventKind, OutboundEmail, utcnow
from .copies import purge_sent_copies
from .message import OutboxMessage
from .recorder import SentRecorder

log = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, ... temporary failure; the last repeats.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = 8
CAPTURED = "captured (development: no MAIL_SERVER)"

outbox = OutboundEmail.__table__
invitation_table = Invitation.__table__
event_table = InvitationEvent.__table__


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1])


@dataclass
class PassStats:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed

    def summary(self) -> str:
        text = f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"
        return text + (f" ({self.recovered} recovered from a stopped worker)" if self.recovered else "")


class SMTPConnection(Connection):
    """Flask-Mail's connection with a timeout on every operation and verified TLS."""

    def __init__(self, state, timeout: float, context: ssl.SSLContext | None):
        super().__init__(state)
        self.timeout = timeout
        self.context = context

    def __enter__(self):
        # Unlike Flask-Mail, never "suppress" silently: the worker runs only when asked to send.
        self.host = self.configure_host()
        self.num_emails = 0
        return self

    def __exit__(self, exc_type, exc_value, tb):
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()

    def send(self, message: Message, envelope_from=None) -> None:
        """Flask-Mail's send, with the outbox message's addresses sanitised once (see message.py)."""
        if not isinstance(message, OutboxMessage) or envelope_from or message.cc or message.bcc:
            return super().send(message, envelope_from)
        assert message.recipients, "No recipients have been added"
        if message.has_bad_headers():
            raise BadHeaderError
        if message.date is None:
            message.date = time.time()
        self.host.sendmail(
            message.envelope_sender,
            message.envelope_recipients,
            message.as_bytes(),
            message.mail_options,
            message.rcpt_options,
        )
        email_dispatched.send(current_app._get_current_object(), message=message)
        self.num_emails += 1
        if self.num_emails == self.mail.max_emails:
            self.num_emails = 0
            self.host.quit()
            self.host = self.configure_host()

    def configure_host(self):
        state = self.mail
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=self.timeout, context=self.context)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=self.timeout)
        try:
            if state.use_tls:
                host.starttls(context=self.context)
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


def smtp_connection(app) -> SMTPConnection:
    config = app.config
    context = None
    if config.get("MAIL_USE_TLS") or config.get("MAIL_USE_SSL"):
        context = ssl.create_default_context(cafile=config.get("MAIL_CA_FILE") or None)
    return SMTPConnection(mail.init_mail(config), timeout=float(config.get("MAIL_TIMEOUT") or 30), context=context)


class Throttle:
    """At most `rate` messages a second (0 = no limit)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


class _ConnectionLost(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _reply_text(code: int, reply) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return f"{code} {reply}".strip()[:1900]


class Worker:
    """One sending process. `run_pass()` delivers everything due now; `watch()` loops."""

    def __init__(self, app=None, worker_id: str | None = None):
        self.app = app or current_app._get_current_object()
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        config = self.app.config
        self.batch_size = max(1, int(config.get("MAIL_BATCH_SIZE") or 100))
        self.lease = timedelta(seconds=int(config.get("MAIL_LEASE_SECONDS") or 900))
        self.sender = config.get("MAIL_DEFAULT_SENDER") or "surveys@localhost"
        self.capture = not config.get("MAIL_SERVER")
        self.throttle = Throttle(float(config.get("MAIL_RATE_LIMIT") or 0))
        self.stopping = False

    # ---- claiming -------------------------------------------------------------------------
    def claim_batch(self, now: datetime) -> tuple[list, int]:
        """Take up to batch_size due rows; returns (rows, how many were recovered from a lapsed lease)."""
        session = db.session
        stale = and_(outbox.c.status == EmailStatus.SENDING, outbox.c.claimed_at < now - self.lease)
        due = or_(
            and_(outbox.c.status.in_((EmailStatus.QUEUED, EmailStatus.RETRYING)), outbox.c.next_attempt_at <= now),
            stale,
        )
        query = (
            select(
                outbox.c.id,
                outbox.c.invitation_id,
                outbox.c.kind,
                outbox.c.to_address,
                outbox.c.subject,
                outbox.c.body_text,
                outbox.c.body_html,
                outbox.c.headers,
                outbox.c.message_id,
                outbox.c.attempts,
                outbox.c.status,
                outbox.c.survey_id,
            )
            .where(due)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(self.batch_size)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        try:
            rows = session.execute(query).all()
            if rows:
                session.execute(
                    update(outbox)
                    .where(outbox.c.id.in_([r.id for r in rows]))
                    .values(
                        status=EmailStatus.SENDING,
                        claimed_at=now,
                        claimed_by=self.worker_id,
                        attempts=outbox.c.attempts + 1,
                    )
                )
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return rows, sum(1 for r in rows if r.status == EmailStatus.SENDING)

    # ---- outcomes (each committed at once) ----------------------------------------------
    def _mine(self, row_id: int):
        return and_(
            outbox.c.id == row_id, outbox.c.claimed_by == self.worker_id, outbox.c.status == EmailStatus.SENDING
        )

    def record_failure(self, row, error: str, permanent: bool) -> str:
        """Failed for good (5xx, or too many attempts) or 'retrying' later; returns the new status.

        A 5xx reply bounces the message's invitation (bounced_at, a 'bounced' event: no more
        reminders); giving up after MAX_ATTEMPTS temporary failures marks it failed.
        """
        session = db.session
        now = utcnow()
        attempts = row.attempts + 1  # as counted by the claim
        bounced = permanent
        if not permanent and attempts >= MAX_ATTEMPTS:
            permanent, error = True, f"gave up after {attempts} attempts; last error: {error}"
        if permanent:
            done = session.execute(
                update(outbox).where(self._mine(row.id)).values(status=EmailStatus.FAILED, last_error=error[:2000])
            ).rowcount
            if done and row.invitation_id is not None:
                column, kind = (
                    ("bounced_at", InvitationEventKind.BOUNCED)
                    if bounced
                    else ("failed_at", InvitationEventKind.FAILED)
                )
                session.execute(
                    update(invitation_table).where(invitation_table.c.id == row.invitation_id).values({column: now})
                )
                session.execute(
                    insert(event_table).values(
                        invitation_id=row.invitation_id,
                        survey_id=row.survey_id,
                        kind=kind,
                        at=now,
                        detail=f"{row.kind}: {error}"[:1000],
                    )
                )
            status = EmailStatus.FAILED
        else:
            session.execute(
                update(outbox)
                .where(self._mine(row.id))
                .values(
                    status=EmailStatus.RETRYING, last_error=error[:2000], next_attempt_at=now + retry_delay(attempts)
                )
            )
            status = EmailStatus.RETRYING
        session.commit()
        log.warning("message %s %s: %s", row.id, status, error)
        return status

    # ---- delivery -----------------------------------------------------------------------
    def build_message(self, row) -> Message:
        return OutboxMessage(
            subject=row.subject,
            recipients=[row.to_address],
            body=row.body_text,
            html=row.body_html or None,
            sender=self.sender,
            extra_headers=dict(row.headers or {}),
            msg_id=row.message_id,
        )

    def _send_one(self, connection: SMTPConnection, record, row, message: Message, stats: PassStats) -> None:
        self.throttle.wait()
        try:
            connection.send(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            if code == 421:  # smtplib has closed the connection
                raise _ConnectionLost(_reply_text(code, reply)) from None
            self._count(stats, self.record_failure(row, _reply_text(code, reply), permanent=code >= 500))
        except smtplib.SMTPServerDisconnected as exc:
            raise _ConnectionLost(f"connection lost: {exc}") from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                raise _ConnectionLost(_reply_text(exc.smtp_code, exc.smtp_error)) from None
            self._count(
                stats,
                self.record_failure(row, _reply_text(exc.smtp_code, exc.smtp_error), permanent=exc.smtp_code >= 500),
            )
        except (OSError, smtplib.SMTPException) as exc:
            raise _ConnectionLost(f"{exc.__class__.__name__}: {exc}") from None
        else:
            record.record(row)
            stats.sent += 1

    @staticmethod
    def _count(stats: PassStats, status: str) -> None:
        if status == EmailStatus.FAILED:
            stats.failed += 1
        else:
            stats.retrying += 1

    def deliver_batch(self, rows: list, stats: PassStats) -> None:
        if self.capture:
            with SentRecorder(db.engine, self.worker_id) as record:
                for row in rows:
                    record.record(row, note=CAPTURED)
                    stats.sent += 1
            return
        position = 0
        try:
            with SentRecorder(db.engine, self.worker_id) as record, smtp_connection(self.app) as connection:
                for position, row in enumerate(rows):  # noqa: B007 (read after the loop)
                    if self.stopping:
                        break
                    self._send_one(connection, record, row, self.build_message(row), stats)
                else:
                    position = len(rows)
        except _ConnectionLost as exc:
            self._give_back(rows[position:], exc.reason, stats)
        except (OSError, smtplib.SMTPException) as exc:  # connect, STARTTLS, login, or QUIT
            reason = f"{exc.__class__.__name__}: {exc}"
            if isinstance(exc, smtplib.SMTPAuthenticationError):
                reason = _reply_text(exc.smtp_code, exc.smtp_error)
            self._give_back(rows[position:], reason, stats)
        if self.stopping:
            self._give_back(rows[position:], None, stats)

    def _give_back(self, rows: list, reason: str | None, stats: PassStats) -> None:
        """Rows not delivered because the connection failed (retry later) or the worker is stopping (queued)."""
        session = db.session
        for row in rows:
            if reason is None:
                session.execute(
                    update(outbox)
                    .where(self._mine(row.id))
                    .values(
                        status=case((outbox.c.attempts > 1, EmailStatus.RETRYING), else_=EmailStatus.QUEUED),
                        attempts=outbox.c.attempts - 1,
                        claimed_by=None,
                    )
                )
                session.commit()
            else:
                self._count(stats, self.record_failure(row, reason, permanent=False))

    # ---- passes -------------------------------------------------------------------------
    def run_pass(self, limit: int | None = None) -> PassStats:
        """Deliver everything due now (rows failing again wait for their next delay)."""
        stats = PassStats()
        while not self.stopping and (limit is None or stats.handled < limit):
            rows, recovered = self.claim_batch(utcnow())
            if not rows:
                break
            if recovered:
                log.warning("re-sending %d message(s) left 'sending' by a stopped worker", recovered)
            stats.recovered += recovered
            self.deliver_batch(rows, stats)
        if stats.handled:
            purge_sent_copies(db.session)  # a copy of someone's answers is not kept once it is sent
            record_audit(
                db.session,
                "mail.send",
                detail=stats.summary() + f" by {self.worker_id}",
                count=stats.sent,
                actor="mail worker",
            )
            db.session.commit()
        return stats

    def watch(self, poll_seconds: float = 5.0, on_pass=None) -> None:
        """Deliver, then poll for more, until SIGTERM or Ctrl-C (the message in flight is finished first)."""

        def stop(_signum, _frame):
            self.stopping = True

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            while not self.stopping:
                stats = self.run_pass()
                if on_pass is not None and stats.handled:
                    on_pass(stats)
                if not stats.handled:
                    deadline = time.monotonic() + poll_seconds
                    while not self.stopping and time.monotonic() < deadline:
                        time.sleep(min(0.5, poll_seconds))
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
