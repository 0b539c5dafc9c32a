"""Racing requests on one personal link: the database keeps exactly one response and one of each event.

Each of 20 threads has its own test client (its own cookies, its own app
context, so its own database session and connection) and they are released
together by a barrier. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, InvitationEvent, Response

RACERS = 20
ONE_QUESTION = """
slug: concurrency
title: One question
pages:
  - name: only
    title: One question
    questions:
      - name: fine
        type: yes_no
        label: Is this fine?
        required: true
"""


def race(app, method: str, path: str, data: dict | None = None) -> list[int]:
    """Send the same request from RACERS threads at once; the status codes (any exception re-raised)."""
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def one():
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            statuses.append(client.open(path, method=method, data=data).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=one) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(statuses) == RACERS
    return statuses


def events(kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(InvitationEvent).where(InvitationEvent.kind == kind))


def release_database() -> None:
    """The test's own session must not hold a transaction (on SQLite that would lock the racers out)."""
    db.session.commit()
    db.session.close()


def test_twenty_concurrent_starts_of_one_invitation_create_one_response(app, import_survey, invite):
    survey = import_survey("concurrency", text=ONE_QUESTION)
    _invitation, _token, path = invite(survey)
    release_database()

    statuses = race(app, "POST", f"{path}/start")

    assert statuses == [302] * RACERS
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert events("started") == 1


def test_twenty_concurrent_submits_of_one_invitation_store_one_response_and_one_completed_event(
    app, import_survey, invite
):
    survey = import_survey("concurrency", text=ONE_QUESTION)
    _invitation, _token, path = invite(survey)
    client = app.test_client()
    assert client.post(f"{path}/start").status_code == 302
    assert client.post(f"{path}/page/only", data={"_shown": "fine", "fine": "yes"}).status_code == 302
    release_database()

    statuses = race(app, "POST", f"{path}/submit")

    assert statuses == [303] * RACERS  # winner and losers alike are sent to the completion page
    response = db.session.scalars(select(Response)).one()
    assert response.status == "completed" and response.submitted_at is not None
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    assert events("completed") == 1
    assert response.invitation.completed_at is not None


def test_twenty_concurrent_saves_of_one_page_leave_one_set_of_answers(app, import_survey, invite):
    # The page's answers are read before the write lock is taken; the guarded write (the response's
    # updated_at) makes the late racers read again, so no answer is stored twice.
    survey = import_survey("concurrency", text=ONE_QUESTION)
    _invitation, _token, path = invite(survey)
    assert app.test_client().post(f"{path}/start").status_code == 302
    release_database()

    statuses = race(app, "POST", f"{path}/page/only", data={"_shown": "fine", "fine": "yes"})

    assert statuses == [302] * RACERS
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    assert db.session.scalars(select(Response)).one().current_page == "__check__"
