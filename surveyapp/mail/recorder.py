"""Recording a delivered message: one short transaction per message, right after the server's 250.

Why per message: a worker killed at any moment (SIGKILL, power cut of the worker's
machine, OOM) must not leave delivered messages marked 'sending', or they are sent
again once the lease lapses. Committing each one before the next is sent leaves a
single message at risk: the one between the server's "250 accepted" and this commit.

Why not through SQLAlchemy's Connection or the ORM session: the worker spends most
of its time waiting for the SMTP server, and SQLAlchemy's per-statement work
(execution context, result set-up, the `begin` event) cost 0.2-0.5 ms a message, as
much as the SQL itself several times over. So the three Core statements below are
compiled ONCE for the engine's dialect and run on a pooled DBAPI connection:
parameters still go through each column type's own bind processor (UTCDateTime),
and literal values come from the compiled statement, so the SQL is SQLAlchemy's.

Durability: SQLite runs in WAL mode with synchronous=NORMAL (surveyapp/database.py):
a commit survives the worker's death; only an OS crash or power cut can lose the
last commits. PostgreSQL: this connection sets synchronous_commit off, so a commit
does not wait for the WAL flush: equally durable when the worker dies, and only a
crash of the database server within a fraction of a second can lose a mark (the
same trade as SQLite's). Both losses mean, at worst, a re-send with the same
Message-ID, never a lost message.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.engine import Dialect, Engine

from ..models import EmailStatus, Invitation, InvitationEvent, InvitationEventKind, OutboundEmail, utcnow

outbox = OutboundEmail.__table__
invitation_table = Invitation.__table__
event_table = InvitationEvent.__table__

MARK_SENT = (
    update(outbox)
    .where(
        outbox.c.id == bindparam("b_id"),
        outbox.c.claimed_by == bindparam("b_worker"),
        outbox.c.status == EmailStatus.SENDING,
    )
    .values(status=EmailStatus.SENT, sent_at=bindparam("b_at"), last_error=bindparam("b_note"))
)
INVITATION_EMAILED = (
    update(invitation_table)
    .where(invitation_table.c.id == bindparam("b_id"))
    .values(
        emailed_at=func.coalesce(invitation_table.c.emailed_at, bindparam("b_at")), last_emailed_at=bindparam("b_at")
    )
)
INVITATION_EMAILED_AGAIN = (
    update(invitation_table).where(invitation_table.c.id == bindparam("b_id")).values(last_emailed_at=bindparam("b_at"))
)
EMAILED_EVENT = insert(event_table).values(
    invitation_id=bindparam("b_id"),
    survey_id=bindparam("b_survey"),
    kind=InvitationEventKind.EMAILED,
    at=bindparam("b_at"),
)


class Prepared:
    """A Core statement compiled once for a dialect, executed on a DBAPI cursor."""

    def __init__(self, statement, dialect: Dialect):
        self.compiled = statement.compile(dialect=dialect)
        self.sql = self.compiled.string
        self.order = self.compiled.positiontup if self.compiled.positional else None
        self.processors = {}
        for name, bind in self.compiled.binds.items():
            processor = bind.type.bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def parameters(self, values: dict):
        params = self.compiled.construct_params(values)
        for name, processor in self.processors.items():
            if name in params:
                params[name] = processor(params[name])
        return [params[name] for name in self.order] if self.order is not None else params

    def run(self, cursor, values: dict) -> int:
        cursor.execute(self.sql, self.parameters(values))
        return cursor.rowcount


class SentRecorder:
    """Marks delivered messages sent, one commit each, on a connection of its own (use as a context manager)."""

    _cache: dict[tuple[int, str], tuple[Prepared, ...]] = {}

    def __init__(self, engine: Engine, worker_id: str):
        self.engine = engine
        self.worker_id = worker_id
        dialect = engine.dialect
        key = (id(dialect), dialect.name)
        if key not in self._cache:
            self._cache[key] = tuple(
                Prepared(s, dialect) for s in (MARK_SENT, INVITATION_EMAILED, INVITATION_EMAILED_AGAIN, EMAILED_EVENT)
            )
        self.mark_sent, self.emailed, self.emailed_again, self.event = self._cache[key]
        self.sqlite = dialect.name == "sqlite"
        self.connection = None

    def __enter__(self) -> SentRecorder:
        self.connection = self.engine.raw_connection()  # a pooled DBAPI connection
        self.cursor = self.connection.cursor()
        if not self.sqlite:
            self.cursor.execute("SET synchronous_commit TO off")
            self.connection.commit()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.connection.rollback()  # nothing is pending unless record() itself failed
            if not self.sqlite:  # back to the pool as it came
                self.cursor.execute("RESET synchronous_commit")
                self.connection.commit()
            self.cursor.close()
        finally:
            self.connection.close()  # returns it to the pool
            self.connection = None

    def record(self, row, note: str | None = None) -> bool:
        """Commit: the row is sent (if still ours), its invitation's dates and 'emailed' event.

        Returns False when the row is no longer ours (our lease lapsed and another worker took
        it): nothing is written, that worker records it.
        """
        at = utcnow()
        cursor = self.cursor
        if self.sqlite:  # the engine lets us BEGIN ourselves (database.py); a writer from the start
            cursor.execute("BEGIN IMMEDIATE")
        try:
            mine = (
                self.mark_sent.run(cursor, {"b_id": row.id, "b_worker": self.worker_id, "b_at": at, "b_note": note})
                == 1
            )
            if mine and row.invitation_id is not None:
                if row.kind == "invitation":
                    self.emailed.run(cursor, {"b_id": row.invitation_id, "b_at": at})
                    self.event.run(cursor, {"b_id": row.invitation_id, "b_survey": row.survey_id, "b_at": at})
                else:
                    self.emailed_again.run(cursor, {"b_id": row.invitation_id, "b_at": at})
            if self.sqlite:
                cursor.execute("COMMIT")
            else:
                self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise
        return mine
