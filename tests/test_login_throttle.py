"""Sign-in throttling (issue 13, item 7): guessers are slowed per (account, address), and cannot lock the owner out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auth_helpers import PASSWORD, make_user
from sqlalchemy import select

from surveyapp.auth.throttle import record_attempt, sign_in_wait
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, LoginAttempt

OWNER = "co-chair@example.org"
HOME, OFFICE = "192.0.2.10", "192.0.2.20"
ATTACKERS = [f"203.0.113.{n}" for n in range(1, 9)]


@pytest.fixture
def owner(app):
    return make_user(OWNER, "analyst")


def attempt(client, address: str, password: str = PASSWORD, email: str = OWNER, **kwargs):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}, **kwargs
    )


def signs_in(app, address: str, email: str = OWNER) -> bool:
    return attempt(app.test_client(), address, email=email).status_code == 302


def age_attempts(**delta) -> None:
    for row in db.session.scalars(select(LoginAttempt)):
        row.at = row.at - timedelta(**delta)
    db.session.commit()


def test_failures_from_many_addresses_do_not_lock_the_owner_out_of_a_known_address(app, owner):
    assert signs_in(app, HOME)  # the owner has signed in from home before
    for address in ATTACKERS:
        attempt(app.test_client(), address, "a-wrong-guess-123")  # the sixth on are 429
    # Five failures from anywhere: new addresses are blocked, even with the right password...
    response = attempt(app.test_client(), OFFICE)
    assert response.status_code == 429 and "Too many attempts to sign in" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 60
    # ...but the owner, at an address they have signed in from, gets in.
    assert signs_in(app, HOME)


def test_the_owners_known_address_is_slowed_not_blocked_while_the_account_is_attacked(app, owner):
    assert signs_in(app, HOME)
    for address in ATTACKERS:
        attempt(app.test_client(), address, "a-wrong-guess-123")
    client = app.test_client()
    assert attempt(client, HOME, "a-typo-in-the-password").status_code == 200
    response = attempt(client, HOME)
    assert response.status_code == 429 and 0 < int(response.headers["Retry-After"]) <= 10
    age_attempts(seconds=11)
    assert attempt(client, HOME).status_code == 302


def test_one_address_guessing_one_account_waits_longer_after_each_failure(app, owner):
    waits = []
    for _ in range(8):
        record_attempt(db.session, OWNER, ATTACKERS[0], succeeded=False)
        db.session.commit()
        waits.append(sign_in_wait(db.session, OWNER, ATTACKERS[0]))
    # Three free failures, then 2, 4, 8, 16... seconds (until the per-account limit, 5, takes over for a new address).
    assert waits[:2] == [0, 0] and waits[2] == 2 and waits[3] == 4
    assert waits[4] > 600  # five failures on the account: an unknown address waits for the window


def test_the_pair_delay_grows_and_is_capped(app, owner):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 1000  # the pair rule alone
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 1000
    waits = []
    for _ in range(15):
        record_attempt(db.session, OWNER, ATTACKERS[0], succeeded=False)
        db.session.commit()
        waits.append(sign_in_wait(db.session, OWNER, ATTACKERS[0]))
    assert waits[:2] == [0, 0]
    assert waits[2:12] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert waits[12:] == [900, 900, 900]
    # Another address, and another account from the same address, are not slowed by this pair.
    assert sign_in_wait(db.session, OWNER, ATTACKERS[1]) == 0
    assert sign_in_wait(db.session, "someone-else@example.org", ATTACKERS[0]) == 0


def test_a_slowed_pair_is_refused_without_checking_the_password_and_lets_in_after_the_delay(app, owner):
    client = app.test_client()
    for _ in range(3):
        assert attempt(client, ATTACKERS[0], "a-wrong-guess-123").status_code == 200
    response = attempt(client, ATTACKERS[0])
    assert response.status_code == 429 and response.headers["Retry-After"] == "2"
    assert "Wait 2 seconds" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_throttled")).target == OWNER
    age_attempts(seconds=3)
    assert attempt(client, ATTACKERS[0]).status_code == 302


def test_a_success_resets_the_pair(app, owner):
    for _ in range(3):
        record_attempt(db.session, OWNER, HOME, succeeded=False)
    db.session.commit()
    assert sign_in_wait(db.session, OWNER, HOME) == 2
    age_attempts(seconds=3)
    assert signs_in(app, HOME)
    record_attempt(db.session, OWNER, HOME, succeeded=False)
    db.session.commit()
    assert sign_in_wait(db.session, OWNER, HOME) == 0


def test_many_accounts_from_one_address_are_still_limited_per_address(app, owner):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    for n in range(4):
        attempt(app.test_client(), ATTACKERS[0], "a-wrong-guess-123", email=f"guess{n}@example.org")
    assert attempt(app.test_client(), ATTACKERS[0]).status_code == 429
    assert signs_in(app, ATTACKERS[1])


def test_a_forged_forwarded_for_header_does_not_give_a_fresh_address(app, owner):
    client = app.test_client()
    for n in range(3):
        attempt(client, ATTACKERS[0], "a-wrong-guess-123", headers={"X-Forwarded-For": f"198.51.100.{n}"})
    response = attempt(client, ATTACKERS[0], headers={"X-Forwarded-For": "198.51.100.99"})
    assert response.status_code == 429
    assert {a.ip_address for a in db.session.scalars(select(LoginAttempt))} == {ATTACKERS[0]}


def test_an_old_success_does_not_make_an_address_known(app, owner):
    record_attempt(db.session, OWNER, HOME, succeeded=True)
    db.session.commit()
    age_attempts(days=91)
    for address in ATTACKERS:
        record_attempt(db.session, OWNER, address, succeeded=False)
    db.session.commit()
    assert sign_in_wait(db.session, OWNER, HOME) > 600
