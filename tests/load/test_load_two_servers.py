"""Several identical app servers on one PostgreSQL (issue 14 item 5; docs/DEPLOYMENT.md).

Two gunicorn instances on two ports behind nginx (round-robin, deploy/nginx.conf), two mail workers
(`flask mail send --watch`) and a real SMTP server (aiosmtpd), one PostgreSQL database:

- a respondent's journey whose requests alternate between the two servers completes (sessions, CSRF
  and throttles live in the database and the signed cookie, nothing in a server's memory);
- 10,000 queued invitations are delivered exactly once across the two workers, and each worker
  delivered some (claims with FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from browser.harness import chromium_available
from conftest import need
from servers import (
    ROOT,
    SECRET_KEY,
    Gunicorn,
    Nginx,
    Respondent,
    completed_notes,
    journey_steps,
    nginx_available,
    prepare_database,
    production_env,
)
from smtp_sink import SMTPSink

pytestmark = pytest.mark.slow

INVITATIONS = int(os.environ.get("LOAD_INVITATIONS", "10000"))
SERVER_URL = os.environ.get("LOAD_PG_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_database():
    """A fresh database on the PostgreSQL server at 127.0.0.1:5432 (or LOAD_PG_SERVER), dropped after."""
    try:
        import psycopg

        admin = psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=5)
    except Exception as error:  # noqa: BLE001
        need(False, f"no PostgreSQL server at {SERVER_URL}: {error}")
    name = f"two_servers_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def queue_invitations(database_url: str, count: int) -> int:
    """`count` contacts invited to the mail test survey, every invitation email queued."""
    from surveyapp import create_app
    from surveyapp.contacts.importer import import_contacts
    from surveyapp.extensions import db
    from surveyapp.mail.outbox import queue_invitations as queue
    from surveyapp.services.invitations import invite
    from surveyapp.services.surveys import import_definition, set_status

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SURVEYAPP_ENV": "testing",
            "SECRET_KEY": SECRET_KEY,
            "SURVEYAPP_BASE_URL": "https://surveys.test",
        }
    )
    with app.app_context():
        source = (ROOT / "tests/questionnaires/mail_invitation.yaml").read_text()
        survey = import_definition(db.session, source).survey
        set_status(db.session, survey, "open")
        import_contacts(
            db.session, "email,name\n" + "".join(f"gp{n}@practice.example.org,Dr {n}\n" for n in range(count))
        )
        invite(db.session, survey)
        queued = queue(db.session, survey).queued
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return queued


def test_two_servers_behind_nginx_two_mail_workers_one_postgresql(pg_database, tmp_path):
    need(nginx_available(), "nginx and openssl are not installed (scripts/install_system_deps.sh)")
    keys = prepare_database(pg_database, str(tmp_path))
    started = time.perf_counter()
    assert queue_invitations(pg_database, INVITATIONS) == INVITATIONS
    queued_in = time.perf_counter() - started

    sink = SMTPSink().start()
    env = production_env(pg_database, str(tmp_path), TRUSTED_PROXIES=1, MAIL_PORT=sink.port, MAIL_BATCH_SIZE=100)
    servers, workers, nginx = [], [], None
    try:
        for _ in range(2):
            servers.append(Gunicorn(env, workers=2, timeout=120, access_log=True))
        nginx = Nginx([s.port for s in servers], tmp_path)

        # Mail workers start first: they deliver while the journey runs.
        for n in range(2):
            workers.append(
                subprocess.Popen(
                    [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "mail", "send", "--watch", "--poll", "0.5"],
                    cwd=str(ROOT),
                    env=env,
                    stdout=open(tmp_path / f"mail-worker-{n}.log", "wb"),  # noqa: SIM115
                    stderr=subprocess.STDOUT,
                )
            )

        # One respondent, one request at a time: round-robin sends each to the other server.
        respondent = Respondent(lambda: nginx.connection(timeout=120), origin=f"https://localhost:{nginx.https_port}")
        link = f"/p/{keys['public_key']}"
        state, steps = journey_steps(respondent, link, "across-two-servers")
        for step in steps:
            step()
        assert state["completed_page"] is True
        found = completed_notes(pg_database)["across-two-servers"]
        assert [(status, answers) for _, status, answers in found] == [("completed", 4)]
        request_line = re.compile(rf'"(?:GET|POST) /p/{re.escape(keys["public_key"])}')  # not the Referer
        served = [len(request_line.findall(s.access_log())) for s in servers]
        print(f"\njourney of 7 requests through nginx: {served} requests served by each app server")
        assert all(count >= 2 for count in served), f"requests alternate between the servers: {served}"

        # The same journey in Chromium, through nginx over HTTPS: its requests (pages and assets) are
        # spread over both servers too, and it completes with its four answers.
        need(chromium_available(), "Chromium is not installed (scripts/install_system_deps.sh)")
        run = subprocess.run(
            [
                str(ROOT / ".venv/bin/python"),
                str(Path(__file__).with_name("chromium_journey.py")),
                f"https://localhost:{nginx.https_port}{link}",
                "chromium-across-two-servers",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=str(ROOT),
        )
        assert run.returncode == 0, run.stdout + run.stderr
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        assert seen["headings"][-1] == "Thank you" and seen["url"].endswith("/done"), seen
        found = completed_notes(pg_database)["chromium-across-two-servers"]
        assert [(status, answers) for _, status, answers in found] == [("completed", 4)]
        after = [len(request_line.findall(s.access_log())) for s in servers]
        by_browser = [a - b for a, b in zip(after, served)]
        print(f"Chromium journey through nginx: {by_browser} journey requests served by each app server")
        assert all(count >= 1 for count in by_browser), f"the browser's requests reach both servers: {by_browser}"

        deadline = time.time() + 900
        while time.time() < deadline and len(sink.handler.envelopes) < INVITATIONS:
            assert all(w.poll() is None for w in workers), "a mail worker died"
            time.sleep(1)
        delivered_in = time.perf_counter() - started - queued_in
        time.sleep(2)  # anything delivered twice would arrive now
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        if nginx is not None:
            nginx.stop()
        for server in servers:
            server.stop()
        sink.stop()

    recipients = Counter(r for envelope in sink.handler.envelopes for r in envelope.rcpt_tos)
    ids = Counter(m["Message-ID"] for m in sink.messages)
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(pg_database))
    with engine.connect() as connection:
        by_worker = dict(
            connection.execute(
                text("SELECT claimed_by, count(*) FROM outbound_email WHERE status = 'sent' GROUP BY claimed_by")
            ).all()
        )
    engine.dispose()
    print(
        f"{INVITATIONS} invitations: queued in {queued_in:.1f} s, delivered in {delivered_in:.1f} s; "
        f"{len(sink.handler.envelopes)} messages received, {len(recipients)} recipients; sent by worker: "
        f"{sorted(by_worker.values())}"
    )
    assert len(sink.handler.envelopes) == INVITATIONS
    assert len(recipients) == INVITATIONS and max(recipients.values()) == 1, "each invitation delivered once"
    assert len(ids) == INVITATIONS
    assert len(by_worker) == 2 and sum(by_worker.values()) == INVITATIONS, by_worker
    assert min(by_worker.values()) > 0, "both workers delivered some"
