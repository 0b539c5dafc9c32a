"""Benchmark: deliver N queued invitations to a local aiosmtpd sink, against a bare smtplib loop.

    python bench/bench_delivery.py [--messages 10000] [--database-url URL]

The sink runs in its own process (aiosmtpd's Sink handler). In the same run and
against the same sink, the baseline sends the very same messages (built before
the clock starts) with a bare `smtplib` loop over one connection; then the
outbox worker delivers the queued rows: claiming batches, building each message
with Flask-Mail, sending over one connection per batch, committing each outcome.
Target: the worker reaches at least half the bare loop's rate.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the aiosmtpd sink did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()

    from sqlalchemy import select

    from surveyapp import create_app
    from surveyapp.contacts.importer import import_contacts
    from surveyapp.extensions import db
    from surveyapp.mail.outbox import queue_invitations
    from surveyapp.mail.worker import Worker, outbox
    from surveyapp.services import invitations as invitation_service
    from surveyapp.services.surveys import import_definition, set_status

    port = free_port()
    sink = start_sink(port)
    tmp = tempfile.mkdtemp(prefix="bench-delivery-")
    app = create_app(
        {
            "SURVEYAPP_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{tmp}/bench.db",
            "SURVEYAPP_BASE_URL": "https://surveys.example.org",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_TIMEOUT": 30,
            "MAIL_BATCH_SIZE": args.batch_size,
            "MAIL_DEFAULT_SENDER": "surveys@example.org",
        }
    )
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            survey = import_definition(db.session, (ROOT / "surveyapp/demo/gp_iapt.yaml").read_text(), "bench").survey
            set_status(db.session, survey, "open")
            csv = "email,name,pct,practice_code\n" + "".join(
                f"gp.{n}@practice{n % 400}.nhs.example,Dr Example {n},{('north', 'south', 'east')[n % 3]},P{n:05d}\n"
                for n in range(args.messages)
            )
            import_contacts(db.session, csv)
            invitation_service.invite(db.session, survey)
            queued = queue_invitations(db.session, survey).queued
            db.session.commit()
            print(f"queued {queued} invitations", flush=True)

            worker = Worker()
            rows = db.session.execute(
                select(
                    outbox.c.id,
                    outbox.c.invitation_id,
                    outbox.c.kind,
                    outbox.c.to_address,
                    outbox.c.subject,
                    outbox.c.body_text,
                    outbox.c.body_html,
                    outbox.c.headers,
                    outbox.c.message_id,
                )
            ).all()
            db.session.commit()
            prebuilt = [(row.to_address, worker.build_message(row).as_bytes()) for row in rows]
            size = sum(len(b) for _, b in prebuilt) / len(prebuilt)

            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                for to, data in prebuilt:
                    smtp.sendmail("surveys@example.org", [to], data)
            bare = time.perf_counter() - start

            start = time.perf_counter()
            if os.environ.get("BENCH_PROFILE"):  # write a cProfile of the worker pass to /tmp/worker.prof
                import cProfile

                cProfile.runctx(
                    "stats = worker.run_pass()", globals(), locals_ := {"worker": worker}, "/tmp/worker.prof"
                )
                stats = locals_["stats"]
            else:
                stats = worker.run_pass()
            ours = time.perf_counter() - start
            assert stats.sent == queued, stats.summary()
    finally:
        sink.terminate()
        sink.wait()
    bare_rate, our_rate = len(prebuilt) / bare, stats.sent / ours
    print(
        f"messages: {len(prebuilt)}, mean size {size:.0f} bytes, batch size {args.batch_size}, "
        f"database {args.database_url or 'sqlite (temporary file)'}"
    )
    print(f"bare smtplib loop (prebuilt messages, one connection): {bare:.2f} s, {bare_rate:.0f} messages/s")
    print(f"outbox worker (claim, build, send, commit each):      {ours:.2f} s, {our_rate:.0f} messages/s")
    print(f"ratio: {our_rate / bare_rate:.2f} of the bare loop (target >= 0.50)")


if __name__ == "__main__":
    main()
