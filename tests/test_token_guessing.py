"""Guessing link tokens is throttled per address: plain 404s up to the limit, then 429 for unknown tokens until the
window passes. A valid token is never refused, and costs no throttle query."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.auth.throttle import TOKEN_GUESS_MARKER, is_throttled
from surveyapp.extensions import db
from surveyapp.models import LoginAttempt

LIMIT = 5
UNKNOWN = "A" * 43


def _without_nonce(body: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', body)


@pytest.fixture
def limited(app):
    app.config.update(TOKEN_GUESS_LIMIT=LIMIT, TOKEN_GUESS_WINDOW_MINUTES=10)
    return app


def _guess(client, n, kind="s"):
    return [client.get(f"/{kind}/{UNKNOWN}{i}") for i in range(n)]


def test_guesses_below_the_limit_look_like_any_unknown_url(limited, client):
    plain_404 = client.get("/no/such/page")
    for response in _guess(client, LIMIT):
        assert response.status_code == 404
        assert _without_nonce(response.get_data()) == _without_nonce(plain_404.get_data())
        assert "Retry-After" not in response.headers
    assert (
        db.session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == TOKEN_GUESS_MARKER)
        )
        == LIMIT
    )


def test_past_the_limit_unknown_tokens_answer_429_but_a_valid_link_still_works(limited, client, import_survey, invite):
    survey = import_survey("yes_no")
    _, _, path = invite(survey)
    assert client.get(path).status_code == 200  # valid links do not count as guesses
    _guess(client, LIMIT)
    for url in (f"/s/{UNKNOWN}", f"/s/{UNKNOWN}/page/main", f"/p/{UNKNOWN}", f"/s/{UNKNOWN}/check"):
        response = client.get(url)
        assert response.status_code == 429, url
        assert "Too many attempts" in response.text
    assert client.post(f"/s/{UNKNOWN}/start").status_code == 429
    # The person with the real link is never refused, whatever their address did.
    assert client.get(path).status_code == 200
    assert client.post(f"{path}/start").status_code == 302
    assert client.get(f"{path}/page/main").status_code == 200
    # Refused without a new row: a throttled address writes nothing more.
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == LIMIT


@pytest.mark.parametrize("suffix", ["/opt-out", "/unsubscribe"])
def test_opt_out_and_unsubscribe_urls_are_covered_by_the_same_throttle(limited, client, import_survey, invite, suffix):
    _, token, path = invite(import_survey("yes_no"))
    plain_404 = client.get("/no/such/page")
    for i in range(LIMIT):
        response = client.get(f"/s/{UNKNOWN}{i}{suffix}")
        assert response.status_code == 404
        assert _without_nonce(response.get_data()) == _without_nonce(plain_404.get_data())
    assert client.get(f"/s/{UNKNOWN}{suffix}").status_code == 429
    assert client.post(f"/s/{UNKNOWN}/unsubscribe", data={"List-Unsubscribe": "One-Click"}).status_code == 429
    assert client.get(f"{path}{suffix}").status_code == 200  # the real link still works


def test_unknown_public_keys_count_as_guesses(limited, client):
    assert {r.status_code for r in _guess(client, LIMIT, kind="p")} == {404}
    assert client.get(f"/p/{UNKNOWN}").status_code == 429


def test_another_address_is_unaffected(limited, client, import_survey, invite):
    _, _, path = invite(import_survey("yes_no"))
    _guess(client, LIMIT)
    assert client.get(f"/s/{UNKNOWN}").status_code == 429
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.get(path).status_code == 200
    assert other.get(f"/s/{UNKNOWN}").status_code == 404


def test_when_the_window_has_passed_requests_go_through_again(limited, client, import_survey, invite):
    _, _, path = invite(import_survey("yes_no"))
    _guess(client, LIMIT)
    assert client.get(f"/s/{UNKNOWN}").status_code == 429
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at -= timedelta(minutes=11)
    db.session.commit()
    assert client.get(path).status_code == 200
    assert client.get(f"/s/{UNKNOWN}").status_code == 404


def test_unknown_pages_of_a_valid_link_are_not_guesses(limited, client, import_survey, invite):
    _, _, path = invite(import_survey("yes_no"))
    client.post(f"{path}/start")
    for _ in range(LIMIT + 1):
        assert client.get(f"{path}/page/no-such-page").status_code == 404
    assert client.get(path).status_code in (200, 302)


def test_token_guesses_do_not_lock_the_address_out_of_signing_in(limited, client):
    _guess(client, LIMIT)
    limited.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 2
    assert not is_throttled(db.session, "someone@example.org", "127.0.0.1")


def test_defaults_are_thirty_guesses_in_ten_minutes(app, client):
    assert app.config["TOKEN_GUESS_LIMIT"] == 30 and app.config["TOKEN_GUESS_WINDOW_MINUTES"] == 10
    assert {r.status_code for r in _guess(client, 30)} == {404}
    assert client.get(f"/s/{UNKNOWN}").status_code == 429
