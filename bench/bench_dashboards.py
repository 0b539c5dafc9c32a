"""Benchmark the dashboards on SQLite or PostgreSQL: N responses to 12 questions of mixed types over 3 segments.

    python bench/bench_dashboards.py                     # 10k and 100k
    python bench/bench_dashboards.py --sizes 10000 100000 1000000
    python bench/bench_dashboards.py --sizes 1000000 --database-url postgresql://postgres@127.0.0.1:5432/postgres

For each size a database file is generated once under /tmp (bulk inserts with
executemany) and reused; its answer tallies are then counted once in SQL
(prepare_tallies: the rebuild the migration's backfill runs), since bulk inserts
bypass the submit that keeps them. A fresh process then measures, in the same run, each
dashboard endpoint's server time through the Flask test client (signed in as an
analyst) and the bare SQL aggregate queries that endpoint needs, and reports its
peak RSS. Figures go to docs/PERFORMANCE.md ("Dashboards").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEGMENTS = ("north", "south", "east")
PASSWORD = "bench-password-not-secret"
START = datetime(2026, 1, 5, 9, 0)
TEXTS = [
    "Quick to get an appointment",
    "Staff were kind",
    "Hard to park",
    "Letters came late",
    "Felt listened to",
    "Could not get through on the phone",
    "Good follow-up",
    "The waiting room was cold",
]


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLAlchemy stores DateTime on SQLite


def database_uri(path: str) -> str:
    """A SQLite file path, or a PostgreSQL URL as is (psycopg 3)."""
    from config import normalise_database_url

    return normalise_database_url(path) if "://" in path else f"sqlite:///{path}"


def make_app(path: str):
    from surveyapp import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_uri(path),
            "SURVEYAPP_ENV": "testing",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench-secret-" + "k" * 40,
            "SURVEYAPP_BASE_URL": "http://bench.test",
        }
    )


def generate(path: str, n: int, seed: int = 5) -> None:
    """A survey with 1.5 n invitations (3 segments), n responses (95% completed) and their answers."""
    from surveyapp.extensions import db
    from surveyapp.models import Choice, Question
    from surveyapp.services.surveys import import_definition, set_status
    from surveyapp.services.users import create_user

    postgres = "://" in path
    if not postgres and os.path.exists(path):
        os.remove(path)
    app = make_app(path)
    with app.app_context():
        if postgres:
            db.drop_all()
        db.create_all()
        survey = import_definition(db.session, (Path(__file__).with_name("bench_survey.yaml")).read_text()).survey
        set_status(db.session, survey, "open")
        create_user(db.session, "analyst@example.org", "analyst", PASSWORD)
        db.session.commit()
        survey_id, version_id = survey.id, survey.current_version_id
        questions = {
            q.name: (q.id, q.qtype)
            for q in db.session.scalars(db.select(Question).where(Question.version_id == version_id))
        }
        choices = {}
        for c in db.session.scalars(
            db.select(Choice).where(Choice.question_id.in_([q for q, _ in questions.values()]))
        ):
            choices.setdefault(c.question_id, []).append((c.id, c.value))
        db.session.remove()
        db.engine.dispose()
    if postgres:
        generate_postgresql(path, n, survey_id, version_id, questions, choices)
        return
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    invited = int(n * 1.5)
    batch = 20_000
    nonce = b"\0" * 32
    answer_id = 0
    for lo in range(0, invited, batch):
        hi = min(invited, lo + batch)
        contacts, attributes, invitations, events, responses, answers = [], [], [], [], [], []
        for i in range(lo, hi):
            cid = i + 1
            sent = START + timedelta(hours=(i % 3) * 24)
            contacts.append((cid, f"c{cid}@bench.invalid", _ts(sent), _ts(sent)))
            attributes.append((cid, cid, "area", SEGMENTS[i % 3] if i % 10 else SEGMENTS[0]))
            reminded = START + timedelta(days=14)
            responded = i < n
            completed = responded and i % 20 != 0
            done_at = sent + timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440)) if completed else None
            invitations.append(
                (
                    cid,
                    survey_id,
                    cid,
                    nonce,
                    f"{cid:064x}",
                    _ts(sent),
                    _ts(sent),
                    _ts(sent),
                    0 if completed and done_at < reminded else 1,
                    _ts(sent) if responded else None,
                    _ts(sent) if responded else None,
                    _ts(done_at) if done_at else None,
                )
            )
            events.append((cid, survey_id, "emailed", _ts(sent)))
            if not (completed and done_at < reminded):
                events.append((cid, survey_id, "reminded", _ts(reminded)))
            if not responded:
                continue
            responses.append(
                (
                    cid,
                    survey_id,
                    version_id,
                    f"inv:{cid}",
                    cid,
                    "link",
                    "completed" if completed else "in_progress",
                    _ts(sent),
                    _ts(done_at or sent),
                    _ts(done_at) if done_at else None,
                )
            )
            for qid, qtype in questions.values():
                opts = choices.get(qid, [])
                rows = []
                if qtype == "multiple_choice":
                    rows = [(c, v, None, None) for c, v in rng.sample(opts, rng.randint(1, 3))]
                elif opts:
                    c, v = opts[min(len(opts) - 1, int(rng.triangular(0, len(opts), 1)))]
                    rows = [(c, v, None, None)]
                elif qtype in ("rating", "integer"):
                    v = round(rng.triangular(0, 10, 7)) if qtype == "rating" else int(rng.expovariate(1 / 30)) % 500
                    rows = [(None, str(v), float(v), None)]
                elif qtype == "decimal":
                    v = round(rng.uniform(0, 40), 1)
                    rows = [(None, str(v), v, None)]
                elif qtype == "date":
                    d = (sent - timedelta(days=rng.randint(0, 365))).date().isoformat()
                    rows = [(None, d, None, d)]
                elif rng.random() < 0.3:
                    rows = [(None, rng.choice(TEXTS), None, None)]
                for choice_id, text, number, day in rows:
                    answer_id += 1
                    answers.append((answer_id, cid, qid, choice_id, text, number, day))
        con.executemany("INSERT INTO contact (id, email, created_at, updated_at) VALUES (?, ?, ?, ?)", contacts)
        con.executemany("INSERT INTO contact_attribute (id, contact_id, name, value) VALUES (?, ?, ?, ?)", attributes)
        con.executemany(
            "INSERT INTO invitation (id, survey_id, contact_id, token_nonce, token_hash, created_at, emailed_at,"
            " last_emailed_at, reminder_count, first_opened_at, started_at, completed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            invitations,
        )
        con.executemany("INSERT INTO invitation_event (invitation_id, survey_id, kind, at) VALUES (?, ?, ?, ?)", events)
        con.executemany(
            "INSERT INTO response (id, survey_id, version_id, respondent_key, invitation_id, collection_mode,"
            " status, started_at, updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            responses,
        )
        con.executemany(
            "INSERT INTO answer (id, response_id, question_id, choice_id, value_text, value_number, value_date)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            answers,
        )
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def generate_postgresql(url: str, n: int, survey_id: int, version_id: int, questions: dict, choices: dict) -> None:
    """The same shape as the SQLite generator, made by PostgreSQL itself (generate_series, random()):
    1,000,000 responses in a few minutes, where sending 20 million rows from Python would take far longer.
    Choices are drawn uniformly and multiple-choice ticks with probability 1/3 each (the SQLite generator
    skews them); the sizes, segments, dates and completion rates are the same."""
    import psycopg

    invited = int(n * 1.5)
    start = START.strftime("%Y-%m-%d %H:%M:%S")
    statements = [
        "SET synchronous_commit = off",
        # Bulk rows bypass the invitation tallies' triggers (a row trigger per row would take far longer):
        # the tallies are then counted once, in SQL, by prepare_tallies, as the migration's backfill does.
        "SET session_replication_role = replica",
        "DELETE FROM tally_state WHERE id = 2",
        f"""CREATE TEMP TABLE gen AS
            SELECT i, sent, i <= {n} AS responded, (i <= {n} AND (i - 1) % 20 <> 0) AS completed,
                   CASE WHEN i <= {n} AND (i - 1) % 20 <> 0 THEN sent + floor(random() * 41) * interval '1 day'
                        + floor(random() * 1441) * interval '1 minute' END AS done_at
            FROM (SELECT i, timestamptz '{start}+00' + ((i - 1) % 3) * interval '1 day' AS sent
                  FROM generate_series(1, {invited}) i) s""",
        "INSERT INTO contact (id, email, created_at, updated_at) SELECT i, 'c' || i || '@bench.invalid', sent, sent FROM gen",
        """INSERT INTO contact_attribute (id, contact_id, name, value)
           SELECT i, i, 'area', CASE WHEN (i - 1) % 10 = 0 THEN 'north'
                                     ELSE (ARRAY['north', 'south', 'east'])[((i - 1) % 3) + 1] END FROM gen""",
        f"""INSERT INTO invitation (id, survey_id, contact_id, token_nonce, token_hash, created_at, emailed_at,
               last_emailed_at, reminder_count, first_opened_at, started_at, completed_at)
            SELECT i, {survey_id}, i, decode(repeat('00', 32), 'hex'), lpad(to_hex(i), 64, '0'), sent, sent, sent,
                   CASE WHEN completed AND done_at < timestamptz '{start}+00' + interval '14 days' THEN 0 ELSE 1 END,
                   CASE WHEN responded THEN sent END, CASE WHEN responded THEN sent END, done_at
            FROM gen""",
        f"INSERT INTO invitation_event (invitation_id, survey_id, kind, at) SELECT i, {survey_id}, 'emailed', sent FROM gen",
        f"""INSERT INTO invitation_event (invitation_id, survey_id, kind, at)
            SELECT i, {survey_id}, 'reminded', timestamptz '{start}+00' + interval '14 days' FROM gen
            WHERE NOT (completed AND done_at < timestamptz '{start}+00' + interval '14 days')""",
        f"""INSERT INTO response (id, survey_id, version_id, respondent_key, invitation_id, collection_mode, status,
               started_at, updated_at, submitted_at)
            SELECT i, {survey_id}, {version_id}, 'inv:' || i, i, 'link',
                   CASE WHEN completed THEN 'completed' ELSE 'in_progress' END, sent, coalesce(done_at, sent), done_at
            FROM gen WHERE responded""",
    ]
    for qid, qtype in questions.values():
        opts = choices.get(qid, [])
        ids = "ARRAY[" + ",".join(str(c) for c, _ in opts) + "]"
        values = "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for _, v in opts) + "]"
        insert = "INSERT INTO answer (response_id, question_id, choice_id, value_text, value_number, value_date) "
        if qtype == "multiple_choice":
            listed = ", ".join(f"({c}, '{v}')" for c, v in opts)
            sql = (
                f"SELECT g.i, {qid}, c.id, c.value, NULL::float, NULL::date FROM gen g "
                f"CROSS JOIN (VALUES {listed}) c(id, value) WHERE g.responded AND random() < 1.0 / 3"
            )
        elif opts:
            sql = (
                f"SELECT i, {qid}, ({ids})[k], ({values})[k], NULL::float, NULL::date FROM "
                f"(SELECT i, 1 + floor(random() * {len(opts)})::int AS k FROM gen WHERE responded) s"
            )
        elif qtype in ("rating", "integer"):
            value = "floor(random() * 11)" if qtype == "rating" else "(floor(-30 * ln(1 - random())))::int % 500"
            sql = (
                f"SELECT i, {qid}, NULL::int, v::text, v::float, NULL::date FROM "
                f"(SELECT i, {value} AS v FROM gen WHERE responded) s"
            )
        elif qtype == "decimal":
            sql = (
                f"SELECT i, {qid}, NULL::int, v::text, v::float, NULL::date FROM "
                f"(SELECT i, round((random() * 40)::numeric, 1) AS v FROM gen WHERE responded) s"
            )
        elif qtype == "date":
            sql = (
                f"SELECT i, {qid}, NULL::int, d::text, NULL::float, d FROM "
                f"(SELECT i, (sent - floor(random() * 366) * interval '1 day')::date AS d FROM gen WHERE responded) s"
            )
        else:
            texts = "ARRAY[" + ",".join("'" + t + "'" for t in TEXTS) + "]"
            sql = (
                f"SELECT i, {qid}, NULL::int, ({texts})[1 + floor(random() * {len(TEXTS)})::int], NULL::float, "
                f"NULL::date FROM gen WHERE responded AND random() < 0.3"
            )
        statements.append(insert + sql)
    for table in ("contact", "contact_attribute", "invitation", "response"):
        statements.append(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        with connection.transaction():
            for statement in statements:
                t = time.perf_counter()
                connection.execute(statement)
                print(f"  {time.perf_counter() - t:6.1f} s  {' '.join(statement.split())[:70]}", file=sys.stderr)
        connection.execute("VACUUM ANALYZE")


def prepare_tallies(path: str) -> None:
    """The dashboards' answer tallies of a generated database, counted in SQL once (the rebuild that the
    migration's backfill and `flask tallies rebuild` run: INSERT ... SELECT ... GROUP BY). The generators
    write rows in bulk, bypassing the submit that keeps the tallies, so a database whose tallies were never
    rebuilt (tally_state.rebuilt_at NULL, or no tally tables: made by older code) is counted here."""
    from surveyapp.analysis import funnel_tallies, tallies
    from surveyapp.extensions import db
    from surveyapp.models import TallyState

    app = make_app(path)
    with app.app_context():
        t = time.perf_counter()
        db.create_all()  # the tally tables, if the database was generated before they existed (counted as made)
        print(f"create_all (and any new tally table counted) in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        if db.session.scalar(db.select(TallyState.rebuilt_at).where(TallyState.id == 1)) is None:
            t = time.perf_counter()
            rows = tallies.rebuild(db.session)
            db.session.commit()
            print(f"tallies rebuilt in {time.perf_counter() - t:.0f} s: {rows:,} rows", file=sys.stderr)
        if not funnel_tallies.usable(db.session):
            t = time.perf_counter()
            rows = funnel_tallies.rebuild(db.session)
            db.session.commit()
            print(f"invitation tallies rebuilt in {time.perf_counter() - t:.0f} s: {rows:,} rows", file=sys.stderr)
        db.session.remove()
        db.engine.dispose()


def _timed_pair(bare, endpoint, repeat: int) -> tuple[float, float]:
    """Median times of the bare queries and of the endpoint, run alternately so that load from
    other processes on the machine falls on both alike."""
    bare(), endpoint()  # warm-up: templates compiled, pages in the OS cache
    bare_times, endpoint_times = [], []
    for _ in range(repeat):
        for fn, times in ((bare, bare_times), (endpoint, endpoint_times)):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    return statistics.median(bare_times), statistics.median(endpoint_times)


def measure(path: str, repeat: int) -> dict:
    """Endpoint times and bare-SQL times (median of `repeat`), in one process; peak RSS at the end."""
    from datetime import date

    from surveyapp.analysis import queries
    from surveyapp.extensions import db
    from surveyapp.models import Survey

    app = make_app(path)
    out = {"endpoints": {}}
    with app.app_context():
        survey_id = db.session.scalar(db.select(Survey.id).where(Survey.slug == "bench"))
        out["responses"] = db.session.scalar(db.select(db.func.count()).select_from(queries.Response))
        out["answers"] = db.session.scalar(db.select(db.func.count()).select_from(queries.Answer))
        db.session.remove()
    client = app.test_client()
    assert client.post("/login", data={"email": "analyst@example.org", "password": PASSWORD}).status_code == 302
    filtered = queries.Filters(
        attribute="area", values=("north",), mode="link", date_from=date(2026, 1, 10), date_to=date(2026, 2, 10)
    )

    def sql_rates():
        with app.app_context():
            names = queries.attribute_names(db.session, survey_id)
            queries.funnel(db.session, survey_id, queries.funnel_by_attribute(db.session, survey_id, names[0]))
            queries.responses_by_mode(db.session, survey_id)
            queries.completions_by_day(db.session, survey_id)
            queries.sends_by_day(db.session, survey_id)
            db.session.remove()

    def sql_results(filters=queries.Filters()):
        def run():
            with app.app_context():
                queries.attribute_names(db.session, survey_id)
                if filters.attribute:
                    queries.attribute_values(db.session, survey_id, filters.attribute)
                queries.question_catalogue(db.session, survey_id)
                queries.distributions(db.session, survey_id, filters)
                db.session.remove()

        return run

    def sql_stats():
        with app.app_context():
            queries.attribute_names(db.session, survey_id)
            queries.funnel(db.session, survey_id, queries.funnel_by_attribute(db.session, survey_id, "area"))
            db.session.remove()

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    cases = [
        ("response rates", "/dashboards/bench/", sql_rates),
        ("results", "/dashboards/bench/results", sql_results()),
        (
            "results, filtered",
            "/dashboards/bench/results?attr=area&value=north&mode=link&from=2026-01-10&to=2026-02-10",
            sql_results(filtered),
        ),
        ("API stats ?by=area", "/api/surveys/bench/stats?by=area", sql_stats),
        ("API results", "/api/surveys/bench/results", sql_results()),
    ]
    for name, url, bare in cases:
        sql, endpoint = _timed_pair(bare, get(url), repeat)
        out["endpoints"][name] = {
            "url": url,
            "endpoint_s": round(endpoint, 4),
            "sql_s": round(sql, 4),
            "ratio": round(endpoint / sql, 2) if sql else None,
        }
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def postgresql_database(server_url: str, n: int, regenerate: bool, prefix: str = "bench_dashboards") -> str:
    """The URL of database <prefix>_<n> on the server; prefixed "new:" when it must be generated."""
    import psycopg

    name = f"{prefix}_{n}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        done = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s AND shobj_description(oid, 'pg_database') = 'generated'",
            (name,),
        ).fetchone()
        if regenerate or not done:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    url = server_url.rsplit("/", 1)[0] + "/" + name
    return url if done and not regenerate else "new:" + url


def mark_generated(server_url: str, n: int, prefix: str = "bench_dashboards") -> None:
    """A half-made database is never reused: the comment is set only once generation finished."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"COMMENT ON DATABASE \"{prefix}_{n}\" IS 'generated'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dir", default="/tmp/surveyapp-bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (e.g. postgresql://postgres@127.0.0.1:5432/postgres): each size gets a database "
        "bench_dashboards_<size> there, generated in SQL and kept for the next run",
    )
    parser.add_argument(
        "--database-prefix",
        default="bench_dashboards",
        help="the PostgreSQL databases' name prefix (<prefix>_<size>), so that runs sharing a server keep apart",
    )
    parser.add_argument("--phase", choices=["generate", "tallies", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        generate(args.db, args.sizes[0])
        return
    if args.phase == "tallies":
        prepare_tallies(args.db)
        return
    if args.phase == "measure":
        print(json.dumps(measure(args.db, args.repeat)))
        return
    os.makedirs(args.dir, exist_ok=True)
    results = {}
    for n in args.sizes:
        if args.database_url:
            path = postgresql_database(args.database_url, n, args.regenerate, args.database_prefix)
        else:
            path = os.path.join(args.dir, f"bench-{n}.db")
        if args.database_url and path.startswith("new:"):
            path = path[4:]
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, __file__, "--phase", "generate", "--db", path, "--sizes", str(n)], check=True
            )
            mark_generated(args.database_url, n, args.database_prefix)
            print(f"generated {n:,} responses in {time.perf_counter() - t:.0f} s -> {path}", file=sys.stderr)
        elif not args.database_url and (args.regenerate or not os.path.exists(path)):
            t = time.perf_counter()
            # Generated under a temporary name: a half-made file is never reused.
            subprocess.run(
                [sys.executable, __file__, "--phase", "generate", "--db", path + ".part", "--sizes", str(n)], check=True
            )
            os.replace(path + ".part", path)
            print(f"generated {n:,} responses in {time.perf_counter() - t:.0f} s -> {path}", file=sys.stderr)
        prepare_tallies(path)
        # A fresh process per size, so peak RSS is the serving process's own.
        run = subprocess.run(
            [sys.executable, __file__, "--phase", "measure", "--db", path, "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        )
        results[n] = json.loads(run.stdout.strip().splitlines()[-1])
        r = results[n]
        print(f"\n{n:,} responses ({r['answers']:,} answer rows), peak RSS {r['peak_rss_mb']} MB")
        print(f"{'endpoint':22} {'server s':>9} {'bare SQL s':>11} {'ratio':>6}")
        for name, e in r["endpoints"].items():
            print(f"{name:22} {e['endpoint_s']:9.3f} {e['sql_s']:11.3f} {e['ratio']:6.2f}")
    print("\n" + json.dumps(results))


if __name__ == "__main__":
    main()
