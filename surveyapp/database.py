"""Database engine settings and the transaction helpers the rest of the app uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

SQLITE_BUSY_TIMEOUT_MS = 10_000


def configure_engine_events(engine: Engine) -> None:
    """SQLite: WAL, a busy timeout, foreign keys, and write transactions that start as writers.

    pysqlite's own BEGIN is deferred: a transaction that reads first and writes
    later can fail half-way with "database is locked" when another writer got in
    between. So we issue BEGIN ourselves: IMMEDIATE unless the request said it only
    reads now (see begins_as_reader).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    def _begin(pooled_connection):
        # Straight on the DBAPI connection: through exec_driver_sql the BEGIN went through the engine's
        # execution context, events and result set-up on every transaction. And as the dialect's own BEGIN
        # hook for this engine, not an engine "begin" listener: any engine listener makes SQLAlchemy dispatch
        # its (empty) execution events around every statement (docs/PERFORMANCE.md).
        pooled_connection.dbapi_connection.execute("BEGIN" if begins_as_reader() else "BEGIN IMMEDIATE")

    engine.dialect.do_begin = _begin


def begins_as_reader() -> bool:
    """Does the transaction starting now only read (a deferred BEGIN on SQLite)?

    GET views that write nothing set g.read_only. A view that reads first and then
    writes (the respondents' journey) sets g.read_first and does its writes inside
    write_transaction(), which always starts as a writer.
    """
    if not has_request_context() or g.get("writing", False):
        return False
    if request.method in ("GET", "HEAD") and g.get("read_only", False):
        return True
    return g.get("read_first", False)


class ConnectionSession:
    """A request's database work on one Core connection, for views whose reads and writes are all Core
    statements (a public link's journey, respond/): the part of a Session they use (execute, scalar,
    connection, commit, rollback), without the ORM session's set-up, transaction bookkeeping and teardown.

    The connection is checked out of the pool once for the request (one checkout, one ping) and each
    transaction begins and ends on it as a Session's would: the read transaction, then write_transaction()'s
    (on SQLite a deferred BEGIN, then BEGIN IMMEDIATE for the writes only, through the same BEGIN hook).
    `close()` at the end of the request rolls back whatever is still open and returns the connection.
    """

    expire_on_commit = True  # commit_keeping() sets it; there are no ORM objects to expire

    def __init__(self, engine: Engine):
        self._engine = engine
        self._connection = None
        self._transaction = None

    def connection(self):
        if self._connection is None:
            self._connection = self._engine.connect()
        if self._transaction is None:
            # a statement read through read_rows() the usual way (an instrumented engine) began one already
            self._transaction = self._connection.get_transaction() or self._connection.begin()
        return self._connection

    def read_rows(self, statement: DirectSelect, params: dict) -> list:
        """The rows of a request's first read, a single statement (the public link's lookup), read on its
        own when no transaction is open: a request that only reads then sends no BEGIN and no COMMIT, and one
        that writes next begins its transaction for its writes (on SQLite with BEGIN IMMEDIATE, as before).

        On SQLite the statement is SQLite's own autocommit read (one consistent snapshot). PostgreSQL's
        driver would begin a transaction before it (a BEGIN, a round trip of its own, and a COMMIT after):
        the connection is put in autocommit for the statement and back, as SQLAlchemy's own ping does. Under
        READ COMMITTED a statement sees what was committed when it began either way.
        """
        if self._transaction is not None or (self._connection is not None and self._connection.in_transaction()):
            return statement.rows(self.connection(), params)
        if self._connection is None:
            self._connection = self._engine.connect()
        connection = self._connection
        if self._engine.dialect.name == "sqlite":
            return statement.rows(connection, params)
        dbapi_connection = connection.connection.dbapi_connection
        if getattr(dbapi_connection, "autocommit", True):  # not a driver we know to begin on its own
            return statement.rows(self.connection(), params)
        dbapi_connection.autocommit = True
        try:
            return statement.rows(connection, params)
        finally:
            if not dbapi_connection.closed:
                dbapi_connection.autocommit = False

    def execute(self, statement, params=None):
        return self.connection().execute(statement, params)

    def scalar(self, statement, params=None):
        return self.connection().scalar(statement, params)

    def get_bind(self) -> Engine:
        return self._engine

    def _open_transaction(self):
        transaction, self._transaction = self._transaction, None
        if transaction is None and self._connection is not None:
            transaction = self._connection.get_transaction()  # begun by a statement in read_rows()
        return transaction

    def in_transaction(self) -> bool:
        return self._transaction is not None or (self._connection is not None and self._connection.in_transaction())

    def commit(self) -> None:
        transaction = self._open_transaction()
        if transaction is not None:
            transaction.commit()

    def rollback(self) -> None:
        transaction = self._open_transaction()
        if transaction is not None:
            transaction.rollback()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        self._transaction = None
        if connection is not None:
            connection.close()  # rolls back a transaction still open


def _real(session: Session | scoped_session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def commit_keeping(session: Session | scoped_session) -> None:
    """Commit (or end a read transaction) without expiring the loaded objects.

    What the request has already loaded stays usable, so rendering a template after the
    commit opens no second transaction to read it again.
    """
    real = _real(session)
    real.expire_on_commit = False
    try:
        real.commit()
    finally:
        real.expire_on_commit = True


@contextmanager
def write_transaction(session: Session | scoped_session) -> Iterator[Session]:
    """End the read transaction, run the block in its own writer's transaction, commit it (keeping objects).

    On SQLite this is the only time the request holds the write lock. An exception rolls back. Elsewhere
    (PostgreSQL: readers never wait for writers, and READ COMMITTED reads afresh at each statement) the writes
    continue the read transaction: one COMMIT and one BEGIN fewer per writing request.
    """
    if session.get_bind().dialect.name == "sqlite":
        commit_keeping(session)
    in_request = has_request_context()
    if in_request:
        g.writing = True
    try:
        yield _real(session)
        commit_keeping(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        if in_request:
            g.writing = False


class DirectSelect:
    """A hot Core SELECT run on the DBAPI cursor of the request's connection, for the one statement every
    journey request runs (the public link's lookup, respond/access.py).

    SQLAlchemy compiles it once per dialect (the SQL, the parameters' order, the literal values) and gives
    the result processors of its columns (dates read back from SQLite's text, for example), so what runs is
    exactly what `Connection.execute` would send and the rows read the same. Each run then costs the driver's
    execute and fetch only: SQLAlchemy's execution context, parameter processing and result set-up cost
    about 45 µs of Python per statement, six times the statement itself on SQLite (docs/PERFORMANCE.md).

    For plain `str` and `int` parameters, no expanding IN. A connection whose engine has cursor-execute
    listeners (a test counting statements, an APM agent) runs the statement the usual way, so that they see
    it. A driver error is raised as SQLAlchemy's own (`DBAPIError.instance`), the connection invalidated when
    the driver says it is gone, as `Connection.execute` does: the 503 page and the pool's recovery work as
    for any other statement.
    """

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict]] = {}
        self._processors: dict[str, list[tuple[int, object]]] = {}
        self._required: set[str] = set()

    def _compiled_for(self, dialect) -> tuple[str, tuple[str, ...] | None, dict]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            if any(bind.expanding for bind in compiled.binds.values()):
                raise ValueError("DirectSelect takes no expanding parameters")
            order = tuple(compiled.positiontup) if compiled.positional else None
            self._required = {name for name, bind in compiled.binds.items() if bind.required}
            literals = compiled.construct_params(dict.fromkeys(self._required))  # the statement's own values
            found = self._compiled[dialect.name] = (compiled.string, order, literals)
        return found

    def rows(self, connection, params: dict) -> list:
        """All rows, as tuples (column order of the SELECT), in the connection's current transaction."""
        dispatch = connection.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
            return connection.execute(self.statement, params).all()
        dialect = connection.dialect
        sql, order, literals = self._compiled_for(dialect)
        if not self._required <= params.keys():
            raise KeyError(f"DirectSelect needs values for {sorted(self._required - params.keys())}")
        values = {**literals, **params}
        arguments = tuple(values[name] for name in order) if order is not None else values
        dbapi_connection = connection.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql, arguments)
            fetched = cursor.fetchall()
            processors = self._processors.get(dialect.name)
            if processors is None:
                processors = self._processors[dialect.name] = self._result_processors(dialect, cursor.description)
        except dialect.loaded_dbapi.Error as error:
            gone = dialect.is_disconnect(error, dbapi_connection, cursor)
            if gone:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                sql, arguments, error, dialect.loaded_dbapi.Error, connection_invalidated=gone, dialect=dialect
            ) from error
        finally:
            cursor.close()
        if not processors:
            return fetched
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row)
            for index, processor in processors:
                value = row[index]
                if value is not None:
                    row[index] = processor(value)
            rows.append(tuple(row))
        return rows

    def _result_processors(self, dialect, description) -> list[tuple[int, object]]:
        """(index, processor) of the columns whose driver values need converting, as SQLAlchemy converts them."""
        processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, entry[1])
            for column, entry in zip(self.statement.selected_columns, description, strict=True)
        ]
        return [(index, processor) for index, processor in enumerate(processors) if processor is not None]
