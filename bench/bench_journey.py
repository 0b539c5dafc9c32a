"""Benchmark the respondent journey under gunicorn, against a bare Flask floor, with one driver.

    .venv/bin/python bench/bench_journey.py                          # SQLite and PostgreSQL, 30 s each
    .venv/bin/python bench/bench_journey.py --seconds 10 --databases sqlite

The product runs in production mode (SURVEYAPP_ENV=production, a strong SECRET_KEY, SURVEYAPP_BASE_URL,
MAIL_SERVER) under gunicorn with 4 sync workers, on SQLite (WAL, a temporary folder) and on a temporary
PostgreSQL database (`--pg-url` names the server). The survey (bench/bench_journey_survey.yaml) has four
questions on one page and a public link. Each journey is a new cookie session that reads the CSRF token
from the page, as a browser does:

    GET /p/<key> -> POST start -> GET page -> POST page (4 answers) -> GET check -> POST submit
    [-> 303 -> GET the completion page, since the lean-journey branch; the floor follows the same shape]

In the same run and with the same driver (8 client threads), bench/floor_app.py (bare Flask + SQLAlchemy
Core, same six requests, Flask-WTF CSRF, cached Jinja templates, one transaction per POST) runs under the
same gunicorn settings on the same database. For each it reports journeys/s, request and journey p50/p99,
server CPU per journey (utime + stime of the gunicorn master and workers from /proc/<pid>/stat), each
worker's CPU share, the driver's own CPU, the machine's busy cores, SQL statements per journey (one
journey in this process with a SQLAlchemy `before_cursor_execute` counter, after a first journey warmed
the caches), the respondent page's weight with its assets (gzipped), and it checks that every journey
that reached the completion page left exactly one completed response with its four answers.
Figures go to docs/PERFORMANCE.md ("Respondent journey").
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
ASSET_RE = re.compile(r'<(?:link[^>]*href|script[^>]*src)="(/static/[^"]+)"')
IMPORT_RE = re.compile(r'import\s[^"\']*["\']([^"\']+)["\']')
ANSWERS = {"service": "c", "score": "7", "recommend": "yes"}
SHOWN = ["service", "score", "recommend", "note"]


class JourneyFailed(Exception):
    pass


# --------------------------------------------------------------------------- the driver


class Browser:
    """One respondent: a cookie jar (Secure cookies too: the bench talks plain HTTP to 127.0.0.1) and requests.

    `transport(method, path, body, headers) -> (status, headers list, body bytes)`.
    """

    def __init__(self, transport):
        self.transport = transport
        self.cookies: dict[str, str] = {}
        self.timings: list[float] = []

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None):
        headers = {"User-Agent": "bench-journey", "Accept-Encoding": "identity"}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        status, response_headers, content = self.transport(method, path, body, headers)
        self.timings.append(time.perf_counter() - started)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if "expires=thu, 01 jan 1970" in value.lower() or "max-age=0" in value.lower():
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val.strip()
        return status, dict((k.lower(), v) for k, v in response_headers), content

    def expect(self, method, path, status_wanted, form=None):
        status, headers, content = self.request(method, path, form)
        if status != status_wanted:
            raise JourneyFailed(f"{method} {path}: {status} (wanted {status_wanted})")
        return headers, content.decode("utf-8", "replace")


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise JourneyFailed("no CSRF token on the page")
    return match.group(1) or match.group(2)


def local_path(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def journey(browser: Browser, key: str, journey_id: str) -> None:
    """The six requests of a public-link journey; raises JourneyFailed unless it reaches the completion page."""
    _, html = browser.expect("GET", f"/p/{key}", 200)
    headers, _ = browser.expect("POST", f"/p/{key}/start", 302, [("csrf_token", csrf_of(html))])
    page = local_path(headers["location"])
    _, html = browser.expect("GET", page, 200)
    form = [("csrf_token", csrf_of(html)), *ANSWERS.items(), ("note", journey_id)]
    form += [("_shown", name) for name in SHOWN]
    headers, _ = browser.expect("POST", page, 302, form)
    check = local_path(headers["location"])
    _, html = browser.expect("GET", check, 200)
    submit = re.search(r'<form[^>]*action="([^"]*submit)"', html)
    if not submit:
        raise JourneyFailed("no submit form on the check page")
    status, headers, content = browser.request("POST", submit.group(1), [("csrf_token", csrf_of(html))])
    html = content.decode("utf-8", "replace")
    if status in (302, 303):  # post, redirect, get: the completion page can be reloaded
        _, html = browser.expect("GET", local_path(headers["location"]), 200)
    elif status != 200:
        raise JourneyFailed(f"POST submit: {status}")
    if "answers have been sent" not in html.lower():
        raise JourneyFailed("no completion page")


def http_transport(port: int, timeout: float = 120.0):
    def transport(method, path, body, headers):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    return transport


def wsgi_transport(app):
    client = app.test_client(use_cookies=False)

    def transport(method, path, body, headers):
        response = client.open(path, method=method, data=body, headers=headers)
        return response.status_code, list(response.headers.items()), response.get_data()

    return transport


@dataclass
class LoadResult:
    completed: list[str] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    request_times: list[float] = field(default_factory=list)
    journey_times: list[float] = field(default_factory=list)


def run_load(port: int, key: str, clients: int, warmup: float, seconds: float, tag: str, on_window=None):
    """`clients` threads run journeys back to back; only journeys that end inside the window count."""
    result = LoadResult()
    lock = threading.Lock()
    window = {}
    stop = threading.Event()

    def client(number: int):
        count = 0
        while not stop.is_set():
            count += 1
            journey_id = f"{tag}-{number}-{count}"
            browser = Browser(http_transport(port))
            started = time.perf_counter()
            try:
                journey(browser, key, journey_id)
                ok, reason = True, None
            except (JourneyFailed, OSError, http.client.HTTPException) as exc:
                ok, reason = False, str(exc)[:120]
            ended = time.perf_counter()
            with lock:
                if ok:
                    result.completed.append(journey_id)  # every completed journey is checked, window or not
                if "start" in window and window["start"] <= started and ended <= window.get("end", 1e18):
                    if ok:
                        result.journey_times.append(ended - started)
                        result.request_times.extend(browser.timings)
                    else:
                        result.failures[reason] += 1
                elif not ok:
                    result.failures[reason] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    snapshot = on_window() if on_window else None
    with lock:
        window["start"] = time.perf_counter()
    client_cpu = _self_cpu()
    time.sleep(seconds)
    with lock:
        window["end"] = time.perf_counter()
    client_cpu = _self_cpu() - client_cpu
    after = on_window() if on_window else None
    stop.set()
    for thread in threads:
        thread.join(60)
    wall = window["end"] - window["start"]
    return result, wall, client_cpu, snapshot, after


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- the server's CPU


def process_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def server_snapshot(master: int) -> dict:
    pids = [master, *children_of(master)]
    return {
        "time": time.perf_counter(),
        "cpu": {pid: process_cpu(pid) for pid in pids},
        "machine": machine_busy(),
    }


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# --------------------------------------------------------------------------- servers and databases


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url: str, port: int, instance: str) -> dict:
    env = dict(os.environ)
    env.update(
        SURVEYAPP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        SURVEYAPP_BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="127.0.0.1",
        DATABASE_URL=database_url,
        SURVEYAPP_INSTANCE_PATH=instance,
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def start_gunicorn(target: str, env: dict, port: int, workers: int) -> subprocess.Popen:
    app_module, chdir = ("wsgi:app", ROOT) if target == "product" else ("floor_app:app", BENCH)
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(chdir),
        "--timeout",
        "120",  # the first request of a worker compiles the templates: slow on a loaded machine
        "--log-level",
        "warning",
        app_module,
    ]
    process = subprocess.Popen(command, env=env, cwd=str(chdir))
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn for {target} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            if len(children_of(process.pid)) >= workers:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn for {target} did not start")


def stop_gunicorn(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Database:
    """A fresh SQLite file in a temporary folder, or a temporary database on a PostgreSQL server."""

    def __init__(self, kind: str, folder: str, pg_url: str):
        self.kind, self.folder, self.pg_url = kind, folder, pg_url
        self.name = None

    def fresh(self, label: str) -> str:
        if self.kind == "sqlite":
            path = Path(self.folder, f"{label}.db")
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            return f"sqlite:///{path}"
        import psycopg

        self.drop()
        self.name = f"bench_journey_{label}_{os.getpid()}"
        with psycopg.connect(self.pg_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        base = urllib.parse.urlsplit(self.pg_url)
        return urllib.parse.urlunsplit(base._replace(path="/" + self.name)).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )

    def drop(self) -> None:
        if self.kind != "postgresql" or not self.name:
            return
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.name = None


def prepare_product(database_url: str, instance: str) -> str:
    """Schema, the survey (open, public link); returns the public key."""
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services.surveys import import_definition, set_status

    app = create_app(_app_config(database_url, instance))
    with app.app_context():
        db.create_all()
        survey = import_definition(db.session, (BENCH / "bench_journey_survey.yaml").read_text()).survey
        set_status(db.session, survey, "open")
        db.session.commit()
        key = survey.public_key
        db.session.remove()
        db.engine.dispose()
    return key


def _app_config(database_url: str, instance: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SURVEYAPP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SURVEYAPP_BASE_URL": "http://127.0.0.1",
        "MAIL_SERVER": "127.0.0.1",
    }


def count_statements(target: str, database_url: str, instance: str, key: str) -> dict:
    """SQL statements of one journey in this process, after a first journey warmed any cache."""
    from sqlalchemy import event

    if target == "product":
        from surveyapp import create_app
        from surveyapp.extensions import db

        app = create_app(_app_config(database_url, instance))
        with app.app_context():
            engine = db.engine
    else:
        import floor_app

        app = floor_app.create_floor_app(database_url)
        engine = app.extensions["floor_engine"]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    journey(Browser(wsgi_transport(app)), key, f"count-{target}-warm")
    event.listen(engine, "before_cursor_execute", count)
    journey(Browser(wsgi_transport(app)), key, f"count-{target}")
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    kinds = Counter(statements)
    transaction_control = sum(kinds.pop(k, 0) for k in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
    return {"statements": sum(kinds.values()), "by_kind": dict(kinds), "begin_commit": transaction_control}


def warm_up(port: int, key: str, journeys: int) -> None:
    """A few journeys at once, so that every worker has imported and compiled what it needs."""
    threads = [
        threading.Thread(target=journey, args=(Browser(http_transport(port, 300)), key, f"warm-{n}"))
        for n in range(journeys)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def page_weight(port: int, key: str) -> dict:
    """The respondent's question page and every asset it loads: raw and gzipped bytes, and what the server sends."""
    browser = Browser(http_transport(port))
    _, html = browser.expect("GET", f"/p/{key}", 200)
    headers, _ = browser.expect("POST", f"/p/{key}/start", 302, [("csrf_token", csrf_of(html))])
    _, html = browser.expect("GET", local_path(headers["location"]), 200)
    files = {"page": html.encode()}
    queue = ASSET_RE.findall(html)
    while queue:
        path = queue.pop(0)
        if path in files:
            continue
        status, _, content = browser.request("GET", path)
        if status != 200:
            raise JourneyFailed(f"asset {path}: {status}")
        files[path] = content
        if path.endswith(".js"):
            base = path.rsplit("/", 1)[0] + "/"
            for module in IMPORT_RE.findall(content.decode("utf-8", "replace")):
                queue.append(local_path(urllib.parse.urljoin(base, module)))
    sent = {}
    for path in files:
        if path == "page":
            continue
        status, headers, content = Browser(http_transport(port)).request("GET", path)
        sent[path] = {
            "encoding": headers.get("content-encoding", "identity"),
            "cache_control": headers.get("cache-control"),
        }
    gz_sizes = {path: len(gzip.compress(body, 6)) for path, body in files.items()}
    wire = {}
    for path in files:
        if path == "page":
            continue
        transport = http_transport(port)
        status, headers, content = transport("GET", path, None, {"Accept-Encoding": "gzip"})
        wire[path] = len(content)
        sent[path]["encoding"] = dict((k.lower(), v) for k, v in headers).get("content-encoding", "identity")
    return {
        "raw_bytes": {p: len(b) for p, b in files.items()},
        "gzip_bytes": gz_sizes,
        "total_gzip_bytes": sum(gz_sizes.values()),
        "assets_on_wire_with_accept_encoding_gzip": wire,
        "asset_headers": sent,
    }


def verify(target: str, database_url: str, completed: list[str]) -> dict:
    """Every completed journey: exactly one completed response carrying its id, with its four answers."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    if target == "product":
        query = text(
            "SELECT a.value_text, r.id, r.status, (SELECT count(*) FROM answer x WHERE x.response_id = r.id) "
            "FROM answer a JOIN question q ON q.id = a.question_id JOIN response r ON r.id = a.response_id "
            "WHERE q.name = 'note'"
        )
        total = text("SELECT count(*) FROM response WHERE status = 'completed'")
    else:
        query = text(
            "SELECT a.value_text, r.id, r.status, (SELECT count(*) FROM floor_answer x WHERE x.response_id = r.id) "
            "FROM floor_answer a JOIN floor_response r ON r.id = a.response_id WHERE a.question = 'note'"
        )
        total = text("SELECT count(*) FROM floor_response WHERE status = 'completed'")
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        completed_rows = connection.scalar(total)
    engine.dispose()
    by_id: dict[str, list] = {}
    for journey_id, response_id, status, answers in rows:
        by_id.setdefault(journey_id, []).append((response_id, status, answers))
    problems = []
    for journey_id in completed:
        found = [r for r in by_id.get(journey_id, []) if r[1] == "completed"]
        if len(found) != 1:
            problems.append(f"{journey_id}: {len(found)} completed responses")
        elif found[0][2] != 4:
            problems.append(f"{journey_id}: {found[0][2]} answers")
    return {
        "completed_journeys": len(completed),
        "completed_responses": completed_rows,
        "problems": problems[:10],
        "ok": not problems and completed_rows >= len(completed),
    }


# --------------------------------------------------------------------------- one run


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench_one(target: str, database: Database, args, folder: str) -> dict:
    label = f"{target}_{database.kind}"
    database_url = database.fresh(label)
    instance = tempfile.mkdtemp(prefix="instance-", dir=folder)
    if target == "product":
        key = prepare_product(database_url, instance)
    else:
        import floor_app

        floor_app.create_schema(database_url)
        key = floor_app.PUBLIC_KEY
    statements = count_statements(target, database_url, instance, key)
    port = free_port()
    env = production_env(database_url, port, instance)
    server = start_gunicorn(target, env, port, args.workers)
    try:
        warm_up(port, key, 3 * args.workers)
        weight = page_weight(port, key) if target == "product" else None
        result, wall, client_cpu, before, after = run_load(
            port, key, args.clients, args.warmup, args.seconds, label, lambda: server_snapshot(server.pid)
        )
    finally:
        stop_gunicorn(server)
    journeys = len(result.journey_times)
    server_cpu = {
        pid: after["cpu"].get(pid, 0) - cpu for pid, cpu in before["cpu"].items() if after["cpu"].get(pid) is not None
    }
    total_server = sum(server_cpu.values())
    busy = (after["machine"][0] - before["machine"][0]) / (after["machine"][1] - before["machine"][1])
    workers = sorted(round(v / wall, 2) for pid, v in server_cpu.items() if pid != server.pid)
    check = verify(target, database_url, [*result.completed, f"count-{target}", f"count-{target}-warm"])
    database.drop()
    return {
        "target": target,
        "database": database.kind,
        "seconds": round(wall, 2),
        "journeys": journeys,
        "journeys_per_s": round(journeys / wall, 1),
        "request_p50_ms": round(percentile(result.request_times, 0.50) * 1000, 1),
        "request_p99_ms": round(percentile(result.request_times, 0.99) * 1000, 1),
        "journey_p50_ms": round(percentile(result.journey_times, 0.50) * 1000, 1),
        "journey_p99_ms": round(percentile(result.journey_times, 0.99) * 1000, 1),
        "server_cpu_ms_per_journey": round(total_server / max(journeys, 1) * 1000, 2),
        "server_cores": round(total_server / wall, 2),
        "worker_cores": workers,
        "client_cpu_ms_per_journey": round(client_cpu / max(journeys, 1) * 1000, 2),
        "client_cores": round(client_cpu / wall, 2),
        "machine_busy_cores": round(busy * os.cpu_count(), 2),
        "sql": statements,
        "failures": dict(result.failures),
        "verify": check,
        "page_weight": weight,
    }


def machine() -> dict:
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": os.getloadavg(),
        "python": sys.version.split()[0],
    }


def print_table(results: list[dict]) -> None:
    print()
    header = (
        "target   db          j/s   req p50  req p99  jrn p50  jrn p99  srv CPU/j  cli CPU/j  srv cores  "
        "busy  SQL  workers"
    )
    print(header)
    for r in results:
        print(
            f"{r['target']:<8} {r['database']:<10} {r['journeys_per_s']:>5} {r['request_p50_ms']:>8} "
            f"{r['request_p99_ms']:>8} {r['journey_p50_ms']:>8} {r['journey_p99_ms']:>8} "
            f"{r['server_cpu_ms_per_journey']:>10} {r['client_cpu_ms_per_journey']:>10} {r['server_cores']:>10} "
            f"{r['machine_busy_cores']:>5} {r['sql']['statements']:>4}  {r['worker_cores']}"
        )
    for database in sorted({r["database"] for r in results}):
        pair = {r["target"]: r for r in results if r["database"] == database}
        if "product" in pair and "floor" in pair:
            ratio = pair["product"]["server_cpu_ms_per_journey"] / max(pair["floor"]["server_cpu_ms_per_journey"], 1e-9)
            print(f"{database}: product/floor server CPU per journey = {ratio:.2f} (target <= 1.5)")
    for r in results:
        verdict = "OK" if r["verify"]["ok"] and not r["failures"] else "PROBLEM"
        print(
            f"{r['target']} {r['database']}: {verdict}: {r['verify']['completed_journeys']} completed journeys, "
            f"{r['verify']['completed_responses']} completed responses, failures {r['failures']}, "
            f"problems {r['verify']['problems']}"
        )
        if r["page_weight"]:
            print(f"  page weight (gzip, page + assets): {r['page_weight']['total_gzip_bytes']} bytes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per target and database")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--targets", nargs="+", default=["floor", "product"], choices=["floor", "product"])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-journey-") as folder:
        for kind in args.databases:
            database = Database(kind, folder, args.pg_url)
            try:
                for target in args.targets:
                    print(f"== {target} on {kind}: {args.seconds:.0f} s, {args.clients} clients", flush=True)
                    results.append(bench_one(target, database, args, folder))
            finally:
                database.drop()
    report = {"machine": machine(), "command": " ".join(sys.argv), "results": results}
    print_table(results)
    print(json.dumps(report["machine"]))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0 if all(r["verify"]["ok"] and not r["failures"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
