"""Database engine settings and the transaction helpers the rest of the app uses."""

from __future__ import annotations

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def configure_engine_events(engine: Engine) -> None:
    """SQLite: WAL, a busy timeout, foreign keys, and write transactions that start as writers.

    pysqlite's own BEGIN is deferred: a transaction that reads first and writes
    later can fail half-way with "database is locked" when another writer got in
    between. So we issue BEGIN ourselves, IMMEDIATE unless the request only reads
    (GET pages that write nothing set g.read_only).
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

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        read_only = has_request_context() and request.method in ("GET", "HEAD") and g.get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
