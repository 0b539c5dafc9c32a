"""503 "service unavailable" when the database is away (restarting, unreachable, or its disk full).

Any page may meet it: PostgreSQL restarting or out of connections, SQLite's disk full or its lock held
longer than the busy timeout. The person gets a plain page saying nothing was lost and to try again in
a minute, with `Retry-After`, never a traceback. What they had saved before stays saved: the failed
transaction is rolled back whole. The pool recovers by itself: `pool_pre_ping` (config.py) replaces
connections that died while the database was away, so no restart of the app servers is needed.
"""

from __future__ import annotations

from flask import Flask, g, render_template
from sqlalchemy import exc

from .extensions import db, login_manager

RETRY_AFTER_SECONDS = 30
FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sorry, the service is unavailable</title>'
    "</head><body><h1>Sorry, the service is unavailable</h1><p>Nothing you saved has been lost. "
    "Try again in a minute.</p></body></html>"
)


def is_database_unavailable(error: BaseException) -> bool:
    """OperationalError (server gone, disk full, lock timeout), a lost connection, or a pool that ran dry."""
    if isinstance(error, exc.OperationalError | exc.TimeoutError | exc.InterfaceError):
        return True
    return isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated)


def init_unavailable(app: Flask) -> None:
    def database_unavailable(error):
        if not is_database_unavailable(error):
            raise error  # any other database error is a bug: the 500 page, and the traceback in the log
        app.logger.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else error)
        try:
            db.session.rollback()
        except exc.SQLAlchemyError:
            pass
        # The page must not need the database: no signed-in user to load (rolled-back objects would reload).
        g._login_user = login_manager.anonymous_user()
        try:
            body = render_template("errors/503.html", status=503)
        except Exception:  # the error page itself must never fail
            body = FALLBACK_PAGE
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    app.register_error_handler(exc.DBAPIError, database_unavailable)
    app.register_error_handler(exc.TimeoutError, database_unavailable)
