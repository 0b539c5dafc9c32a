"""Benchmark: import a 50,000-row contact CSV (the whole upsert, as `contacts import` does it).

    python bench/bench_contact_import.py [--rows 50000] [--database-url URL]

e.g. `taskset -c 0 python bench/bench_contact_import.py` (SQLite, one core) and
`python bench/bench_contact_import.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench`
(the script drops and creates the app's tables in that database: use a scratch one).

Reports the wall time of `import_contacts` + commit on one process (one core),
a second import of the same file (everything unchanged), and peak memory:
the Python heap peak from tracemalloc in a separate run of the same import,
and the process's maximum resident set size from resource.getrusage.
Target: under 5 s for 50,000 rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_csv(rows: int) -> bytes:
    lines = ["\ufeffEmail Address,Name,PCT,Practice Code,Language"]
    for n in range(rows):
        email = (
            f"GP.Person{n}@Practice{n % 700}.NHS.example"
            if n % 10 == 0
            else f"gp.person{n}@practice{n % 700}.nhs.example"
        )
        lines.append(
            f" {email} ,Dr Person {n},{('north', 'south', 'east')[n % 3]},P{n % 9000:05d},{'en' if n % 7 else 'cy'}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args()

    from sqlalchemy import text

    from surveyapp import create_app
    from surveyapp.contacts.importer import import_contacts
    from surveyapp.extensions import db

    data = make_csv(args.rows)
    tmp = tempfile.mkdtemp(prefix="bench-import-")
    app = create_app(
        {
            "SURVEYAPP_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{tmp}/bench.db",
        }
    )
    with app.app_context():

        def fresh():
            db.drop_all()
            db.create_all()

        def timed():
            start = time.perf_counter()
            report = import_contacts(db.session, data, "bench")
            db.session.commit()
            return time.perf_counter() - start, report

        fresh()
        first, report = timed()
        again, report2 = timed()
        fresh()
        tracemalloc.start()
        import_contacts(db.session, data, "bench")
        db.session.commit()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        dialect = db.engine.dialect.name
        version = db.session.execute(
            text("select sqlite_version()" if dialect == "sqlite" else "show server_version")
        ).scalar()
        db.session.rollback()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{datetime.now().isoformat(timespec='minutes')} on {platform.node()} ({os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}), Python {platform.python_version()}"
    )
    print(f"rows: {args.rows}, file {len(data) / 1e6:.1f} MB, 3 attributes a contact, database {dialect} {version}")
    print(f"first import:  {first:.2f} s ({args.rows / first:.0f} rows/s): {report.summary()}")
    print(f"second import: {again:.2f} s: {report2.summary()}")
    print(f"peak Python heap during an import (tracemalloc): {peak / 1e6:.0f} MB; max RSS of the process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
