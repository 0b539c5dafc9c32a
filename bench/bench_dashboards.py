"""Benchmark the dashboards on SQLite: N responses to 12 questions of mixed types over 3 segments.

    python bench/bench_dashboards.py                     # 10k and 100k
    python bench/bench_dashboards.py --sizes 10000 100000 1000000

For each size a database file is generated once under /tmp (bulk inserts with
executemany) and reused. A fresh process then measures, in the same run, each
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


def make_app(path: str):
    from surveyapp import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
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

    if os.path.exists(path):
        os.remove(path)
    app = make_app(path)
    with app.app_context():
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dir", default="/tmp/surveyapp-bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--phase", choices=["generate", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        generate(args.db, args.sizes[0])
        return
    if args.phase == "measure":
        print(json.dumps(measure(args.db, args.repeat)))
        return
    os.makedirs(args.dir, exist_ok=True)
    results = {}
    for n in args.sizes:
        path = os.path.join(args.dir, f"bench-{n}.db")
        if args.regenerate or not os.path.exists(path):
            t = time.perf_counter()
            # Generated under a temporary name: a half-made file is never reused.
            subprocess.run(
                [sys.executable, __file__, "--phase", "generate", "--db", path + ".part", "--sizes", str(n)], check=True
            )
            os.replace(path + ".part", path)
            print(f"generated {n:,} responses in {time.perf_counter() - t:.0f} s -> {path}", file=sys.stderr)
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
