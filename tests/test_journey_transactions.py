"""The lean journey: reads take no write lock, no transaction is open while a page renders, and the
parsed questionnaire is cached per process but a new or replaced version is seen at once."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

import pytest
from flask import before_render_template
from journey_helpers import Journey
from sqlalchemy import event, select

from surveyapp.extensions import db
from surveyapp.journey import flow
from surveyapp.models import Response, Survey
from surveyapp.services.surveys import import_definition

PUBLIC = """
slug: cached
title: Cached
settings: {{public_link: true}}
pages:
  - name: main
    title: {title}
    questions:
      - {{name: smoker, type: yes_no, label: "{label}", required: true}}
"""


def public_survey(import_survey, label="Do you smoke?", title="Main"):
    return import_survey("cached", text=PUBLIC.format(label=label, title=title))


def test_no_transaction_is_open_while_any_journey_page_renders(app, import_survey, invite):
    survey = import_survey("conditions_across_pages")
    _, _, path = invite(survey)
    open_while_rendering = []

    def note(_sender, template, **_extra):
        open_while_rendering.append((template.name, db.session().in_transaction()))

    before_render_template.connect(note, app)
    try:
        client = app.test_client()
        journey = Journey(client, path)
        client.get(path)  # the start page (and the first opening of the link, written first)
        journey.start()
        journey.answer("first", {"has_car": "yes"})
        journey.answer("car", {"car_count": "2"})  # re-rendered with the revealed question after saving
        journey.answer("car", {"car_count": "2", "car_electric": "no"})
        journey.answer("end", {})
        journey.check()
        journey.submit()
    finally:
        before_render_template.disconnect(note, app)
    rendered = {name for name, _ in open_while_rendering}
    assert {"respond/start.html", "respond/page.html", "respond/check.html", "respond/done.html"} <= rendered
    assert [name for name, in_transaction in open_while_rendering if in_transaction] == []


@pytest.mark.sqlite_only
def test_reading_a_page_does_not_wait_for_sqlites_write_lock(app, import_survey, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    survey = public_survey(import_survey)
    path = f"/p/{survey.public_key}"
    client = app.test_client()
    Journey(client, path).start()
    db.session.close()
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock, e.g. a long import
    try:
        assert client.get(f"{path}/page/main").status_code == 200
        assert client.get(path).status_code == 302  # the link resumes
    finally:
        writer.rollback()
        writer.close()


def _started_public_journey(app, import_survey):
    """(client, journey, path) of a public link's started response; the test's ORM session closed, so that
    the requests run on their own connections (database.ConnectionSession) as in production."""
    survey = public_survey(import_survey)
    path = f"/p/{survey.public_key}"
    client = app.test_client()
    journey = Journey(client, path)
    journey.start()
    db.session.close()
    return client, journey, path


@contextmanager
def _on_each_checkout(checkout, checkin):
    """Pool events, not engine events: engine cursor-execute listeners would send the lookup the usual way."""
    event.listen(db.engine.pool, "checkout", checkout)
    event.listen(db.engine.pool, "checkin", checkin)
    try:
        yield
    finally:
        event.remove(db.engine.pool, "checkout", checkout)
        event.remove(db.engine.pool, "checkin", checkin)


@pytest.mark.sqlite_only
def test_on_sqlite_a_public_link_request_that_only_reads_sends_no_begin(app, import_survey, database_url):
    """The lookup runs as SQLite's own autocommit read (ConnectionSession.read_rows): a GET sends one SELECT and
    no BEGIN or COMMIT; a POST that writes takes BEGIN IMMEDIATE for its writes only, after the lookup."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    client, journey, path = _started_public_journey(app, import_survey)
    traced: list[str] = []

    def trace(dbapi_connection, _record, _proxy):  # every statement the driver runs, BEGIN and COMMIT too
        dbapi_connection.set_trace_callback(traced.append)

    def untrace(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(None)

    with _on_each_checkout(trace, untrace):
        assert client.get(f"{path}/page/main").status_code == 200
        read = [s.split()[0].upper() for s in traced if s.strip()]
        traced.clear()
        assert journey.answer("main", {"smoker": "no"}).location.endswith("/check")
        wrote = [s.split()[0].upper() for s in traced if s.strip()]
    assert read == ["SELECT"]
    # Journey.answer reads the page first (its fields and CSRF token), then posts it
    begin = wrote.index("BEGIN")
    assert traced[begin].strip().upper() == "BEGIN IMMEDIATE" and wrote.count("BEGIN") == 1
    assert set(wrote[:begin]) == {"SELECT"}  # the lookups, outside any transaction
    assert wrote[-1] == "COMMIT" and "INSERT" in wrote[begin:]


def test_on_postgresql_a_public_link_request_that_only_reads_sends_no_begin(app, import_survey, tmp_path):
    """The lookup runs in autocommit (ConnectionSession.read_rows): psycopg would send BEGIN first, a round
    trip of its own, and COMMIT after. A POST begins its one transaction for its writes."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (the SQLite test is above)")
    client, journey, path = _started_public_journey(app, import_survey)
    trace_file = tmp_path / "libpq.trace"
    traces = []

    def trace(dbapi_connection, _record, _proxy):  # libpq's own record of every message sent and received
        handle = trace_file.open("a")
        traces.append(handle)
        dbapi_connection.pgconn.trace(handle.fileno())

    def untrace(dbapi_connection, _record):
        dbapi_connection.pgconn.untrace()

    def sent() -> list[str]:
        for handle in traces:
            handle.flush()
        lines = [line.split("\t") for line in trace_file.read_text().splitlines()]
        trace_file.write_text("")
        # the first word of each statement the app sent (simple Query or extended Parse)
        # (a statement's own line breaks continue it on the trace's next lines: its first word is enough)
        return [
            re.findall(r'"([A-Za-z]+)', fields[4])[0].upper()
            for fields in lines
            if len(fields) > 4 and fields[1] == "F" and fields[3] in ("Query", "Parse")
        ]

    try:
        with _on_each_checkout(trace, untrace):
            assert client.get(f"{path}/page/main").status_code == 200
            read = sent()
            assert journey.answer("main", {"smoker": "no"}).location.endswith("/check")
            wrote = sent()
    finally:
        for handle in traces:
            handle.close()
    assert "BEGIN" not in read and "COMMIT" not in read and "SELECT" in read
    begin = wrote.index("BEGIN")  # Journey.answer reads the page first, then posts it
    assert wrote.count("BEGIN") == 1 and set(wrote[:begin]) <= {"SELECT"}
    assert wrote[-1] == "COMMIT" and "INSERT" in wrote[begin:]


def test_a_new_version_is_seen_at_once(app, import_survey):
    survey = public_survey(import_survey)
    path = f"/p/{survey.public_key}"
    first = app.test_client()
    Journey(first, path).start()
    assert "Do you smoke?" in first.get(f"{path}/page/main").get_data(as_text=True)  # cached now
    # Someone has answered, so the import becomes version 2: new respondents see it at once.
    import_definition(db.session, PUBLIC.format(label="Do you vape?", title="Main"), "cached")
    db.session.commit()
    second = app.test_client()
    Journey(second, path).start()
    assert "Do you vape?" in second.get(f"{path}/page/main").get_data(as_text=True)
    # The first respondent keeps the version they started.
    assert "Do you smoke?" in first.get(f"{path}/page/main").get_data(as_text=True)
    assert sorted(db.session.scalars(select(Response.version_id))) == sorted(
        {v.id for v in db.session.get(Survey, survey.id).versions}
    )


def test_a_version_replaced_in_place_before_anyone_answered_is_seen_at_once(app, import_survey):
    survey = public_survey(import_survey)
    path = f"/p/{survey.public_key}"
    assert "Do you smoke?" not in app.test_client().get(path).get_data(as_text=True)  # the start page caches it
    assert "It has 1 short section." in app.test_client().get(path).get_data(as_text=True)
    import_definition(db.session, PUBLIC.format(label="Do you vape?", title="Vaping"), "cached")
    db.session.commit()
    assert len(db.session.get(Survey, survey.id).versions) == 1  # replaced in place: same version id
    client = app.test_client()
    Journey(client, path).start()
    page = client.get(f"{path}/page/main").get_data(as_text=True)
    assert "Do you vape?" in page and "Vaping" in page
    assert Journey(client, path).answer("main", {"smoker": "no"}).location.endswith("/check")


def test_the_cache_is_bounded(app, import_survey, monkeypatch):
    monkeypatch.setattr(flow, "QUESTIONNAIRE_CACHE_SIZE", 2)
    flow.clear_questionnaire_cache()
    for n in range(4):
        flow.cached_questionnaire(1000 + n, PUBLIC_JSON, None)
    assert list(flow._cache) == [1002, 1003]
    again = flow.cached_questionnaire(1003, PUBLIC_JSON, None)
    assert again is flow.cached_questionnaire(1003, PUBLIC_JSON, None)  # a hit returns the same object
    flow.clear_questionnaire_cache()


PUBLIC_JSON = (
    '{"slug": "c", "title": "C", "pages": [{"name": "p", "title": "P", "questions": '
    '[{"name": "q", "type": "short_text", "label": "Q"}]}]}'
)
