"""The database away or its disk full: a friendly 503 page, never a traceback, and nothing saved is lost.

(The same against real gunicorn, with PostgreSQL restarted mid-run and SQLite on a full disk, is in
tests/load/test_faults.py.)
"""

from __future__ import annotations

import pytest
from conftest import make_app
from journey_helpers import Journey
from sqlalchemy import event, select, text

from surveyapp.extensions import db
from surveyapp.models import Answer, Response

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"


def assert_friendly_503(response) -> None:
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in html
    assert "Nothing you saved has been lost" in html
    assert "Traceback" not in html and "OperationalError" not in html and "psycopg" not in html
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/s/some-token-that-may-exist", "/p/some-public-key"])
def test_database_unreachable_answers_friendly_503(path):
    app = make_app(UNREACHABLE, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        response = app.test_client().get(path)
        assert_friendly_503(response)
        db.engine.dispose()


def test_database_unreachable_on_a_post_answers_503(database_url):
    app = make_app(UNREACHABLE, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        response = app.test_client().post("/p/some-public-key/start", data={})
        assert_friendly_503(response)
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_full_disk_answers_503_and_keeps_what_was_saved(app, client, import_survey, invite):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page limit")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    survey = import_survey("long_text")
    invitation, _, path = invite(survey)
    respondent_key = f"inv:{invitation.id}"
    journey = Journey(client, path)
    journey.start()
    saved = journey.answer("main", {"comments": "kept before the disk filled", "story": "A long enough story."})
    assert saved.status_code == 302

    # From now on the database file may not grow: SQLite answers "database or disk is full".
    pages = db.session.execute(text("PRAGMA page_count")).scalar_one()
    db.session.commit()

    def no_room(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(db.engine, "connect", no_room)
    db.engine.dispose()
    try:
        response = journey.answer("main", {"comments": "x" * 4900, "story": "Another story here."})
        assert_friendly_503(response)
    finally:
        event.remove(db.engine, "connect", no_room)
        db.session.remove()
        db.engine.dispose()
    stored = db.session.scalars(
        select(Answer.value_text).join(Response).where(Response.respondent_key == respondent_key)
    )
    assert sorted(stored) == ["A long enough story.", "kept before the disk filled"]
