"""database.DirectSelect: the public link's lookup run on the DBAPI cursor reads what Connection.execute reads.

The lookup runs on every journey request, so it skips SQLAlchemy's execution layer (docs/PERFORMANCE.md);
these tests hold it to the same rows, the same Python types, the same errors and the same statement counts.
"""

from __future__ import annotations

import datetime

import pytest
from journey_helpers import shown_fields
from sqlalchemy import event, exc, select, text
from test_journey_statements import counted_statements

from surveyapp.database import ConnectionSession, DirectSelect
from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.respond import access

TYPED = """
slug: typed
title: Typed answers
settings:
  public_link: true
pages:
  - name: main
    title: Typed answers
    questions:
      - {name: day, type: date, label: "Which day?"}
      - {name: visits, type: integer, label: "How many visits?", min: 0, max: 99}
      - name: rating
        type: single_choice
        label: "How was it?"
        choices: [{value: good, label: Good}, {value: bad, label: Bad}]
      - {name: comment, type: short_text, label: "Anything else?"}
"""
ANSWERS = {
    "day-day": "2",
    "day-month": "3",
    "day-year": "2026",
    "visits": "7",
    "rating": "good",
    "comment": "<b>Kind</b>",
}


def _answered(app, import_survey) -> tuple[str, str]:
    """A public link's response with a date, a number, a choice and a text stored; (public key, response key)."""
    survey = import_survey("typed", text=TYPED)
    client = app.test_client()
    path = f"/p/{survey.public_key}"
    client.post(f"{path}/start")
    shown = shown_fields(client.get(f"{path}/page/main").get_data(as_text=True))
    assert client.post(f"{path}/page/main", data={"_shown": shown, **ANSWERS}).location.endswith("/check")
    response_key = db.session.scalar(select(Response.respondent_key).where(Response.survey_id == survey.id))
    db.session.close()
    return survey.public_key, response_key


def test_the_lookup_reads_the_same_rows_and_types_as_connection_execute(app, import_survey):
    public_key, response_key = _answered(app, import_survey)
    params = {"public_key": public_key, "response_key": response_key}
    statement = access._public_link_rows(single=True, with_answers=True)
    with db.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(statement, params)]
        direct = DirectSelect(statement).rows(connection, params)
    assert len(direct) == 4  # one row per stored answer
    assert direct == expected
    assert [[type(value) for value in row] for row in direct] == [[type(value) for value in row] for row in expected]
    started_at = direct[0][len(access.SURVEY_COLUMNS) + access.RESPONSE_COLUMNS.index("started_at")]
    assert isinstance(started_at, datetime.datetime)  # SQLite's text read back as a date and time, as the ORM does
    days = [row[-1] for row in direct if row[-1] is not None]
    assert days == [datetime.date(2026, 3, 2)]


def test_a_statement_counter_still_sees_the_lookup(app, import_survey):
    public_key, response_key = _answered(app, import_survey)
    statement = DirectSelect(access._public_link_rows(single=True, with_answers=False))
    with db.engine.connect() as connection, counted_statements() as statements:
        rows = statement.rows(connection, {"public_key": public_key, "response_key": response_key})
    assert len(rows) == 1 and len(statements) == 1 and "survey" in statements[0].lower()


def test_without_listeners_it_runs_on_the_driver_and_is_not_seen_by_sqlalchemy(app, import_survey):
    """The point of it: no execution context, so no engine-level execute event fires (the fast path ran)."""
    public_key, response_key = _answered(app, import_survey)
    seen = []

    def on_execute(*_args):
        seen.append(1)

    event.listen(db.engine, "before_execute", on_execute)  # fires for Connection.execute, not a cursor's
    try:
        with db.engine.connect() as connection:
            statement = access._public_link_rows(single=True, with_answers=False)
            rows = DirectSelect(statement).rows(connection, {"public_key": public_key, "response_key": response_key})
            assert not seen
            connection.execute(statement, {"public_key": public_key, "response_key": response_key})
            assert seen
    finally:
        event.remove(db.engine, "before_execute", on_execute)
    assert rows[0][access.SURVEY_COLUMNS.index("public_key")] == public_key


def test_a_missing_parameter_is_refused_not_sent_as_null(app):
    with db.engine.connect() as connection, pytest.raises(KeyError, match="response_key"):
        DirectSelect(access._public_link_rows(single=True)).rows(connection, {"public_key": "x"})


def test_an_expanding_parameter_is_refused(app):
    with db.engine.connect() as connection, pytest.raises(ValueError, match="expanding"):
        DirectSelect(access._public_link_rows(single=False)).rows(connection, {"public_key": "x", "response_keys": []})


def test_a_driver_error_is_raised_as_sqlalchemys_own(app):
    statement = select(text("* FROM no_such_table_here WHERE name = :name"))
    with db.engine.connect() as connection:
        with pytest.raises(exc.DBAPIError) as raised:
            DirectSelect(statement).rows(connection, {"name": "x"})
    assert isinstance(raised.value.orig, db.engine.dialect.loaded_dbapi.Error)
    assert "no_such_table_here" in str(raised.value)
    assert not raised.value.connection_invalidated


def test_a_lost_server_connection_is_invalidated_and_the_next_request_gets_a_new_one(app, import_survey):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: a server connection to end from another session")
    public_key, response_key = _answered(app, import_survey)
    params = {"public_key": public_key, "response_key": response_key}
    lookup = DirectSelect(access._public_link_rows(single=True))
    session = ConnectionSession(db.engine)
    connection = session.connection()
    backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with db.engine.connect() as other:
        other.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend)})")
    with pytest.raises(exc.DBAPIError) as raised:
        lookup.rows(connection, params)
    assert raised.value.connection_invalidated and connection.invalidated
    session.close()
    # the pool hands out a working connection afterwards
    session = ConnectionSession(db.engine)
    try:
        assert len(lookup.rows(session.connection(), params)) == 1
    finally:
        session.close()
