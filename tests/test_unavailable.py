"""The database away or its disk full: a friendly 503 page, never a traceback, and nothing saved is lost.

(The same against real gunicorn, with PostgreSQL restarted mid-run and SQLite on a full disk, is in
tests/load/test_faults.py.)
"""

from __future__ import annotations

import pytest
from conftest import make_app

from surveyapp.extensions import db

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
