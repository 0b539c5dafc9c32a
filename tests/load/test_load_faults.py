"""Faults under load, against real gunicorn in production mode (issue 14 item 4). Each test prints its figures.

- 200 respondents at once on personal links while a supervisor SIGKILLs a random worker every 2 s.
- PostgreSQL (a cluster of the test's own, made with initdb) stopped and started mid-run.
- SQLite on a full disk (a small tmpfs).

In every case: no 500 and no traceback; the database away answers the friendly 503 page; every answer
acknowledged (a redirect after saving a page, or the completion page) is there afterwards, once.
"""

from __future__ import annotations

import glob
import http.client
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import need
from servers import (
    Gunicorn,
    JourneyError,
    Respondent,
    completed_notes,
    free_port,
    journey_steps,
    prepare_database,
    production_env,
)

pytestmark = pytest.mark.slow

RESPONDENTS = int(os.environ.get("LOAD_RESPONDENTS", "200"))
CUT = (ConnectionError, http.client.HTTPException, TimeoutError, OSError)


def run_journey(
    connect,
    link: str,
    note: str,
    retries: int = 8,
    stats: Counter | None = None,
    think: tuple[float, float] | None = None,
) -> dict:
    """Walk the journey; retry a step cut by a killed worker (as a person would reload). Returns its state.

    `think` (seconds, low and high) is a pause before each form post, as a person reads the page: it keeps
    the run long enough for the supervisor's kills to land in the middle of journeys.
    """
    stats = stats if stats is not None else Counter()
    respondent = Respondent(connect)
    state, steps = journey_steps(respondent, link, note)
    for step in steps:
        if think and step.__name__ in ("start", "answer", "submit"):
            time.sleep(random.uniform(*think))
        for attempt in range(retries + 1):
            try:
                step()
                break
            except CUT:
                stats["cut by a kill (retried)"] += 1
                if attempt == retries:
                    raise
            except JourneyError as error:
                status = error.args[1] if len(error.args) > 1 else None
                stats[f"status {status}"] += 1
                raise
    stats["statuses"] += len(respondent.statuses)
    stats.update(f"HTTP {s // 100}xx" for s in respondent.statuses)
    return state


def connect_to(port: int, timeout: float = 120):
    return lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def check_acknowledged(database_url: str, completed: list[str], answered: list[str] = ()) -> dict:
    found = completed_notes(database_url)
    problems = []
    for note in completed:
        rows = [r for r in found.get(note, []) if r[1] == "completed"]
        if len(rows) != 1 or rows[0][2] != 4:
            problems.append((note, found.get(note)))
    for note in answered:
        rows = found.get(note, [])
        if len(rows) != 1 or rows[0][2] != 4:
            problems.append((note, rows))
    return {"problems": problems, "responses_with_answers": len(found)}


def test_200_respondents_while_workers_are_killed(tmp_path):
    database_url = f"sqlite:///{tmp_path}/app.db"
    keys = prepare_database(database_url, str(tmp_path), invitations=RESPONDENTS)
    server = Gunicorn(production_env(database_url, str(tmp_path)), workers=4, timeout=120)
    stop = threading.Event()
    kills = []

    def supervisor():
        while not stop.wait(2):
            pids = server.worker_pids()
            if pids:
                victim = random.choice(pids)
                try:
                    os.kill(victim, signal.SIGKILL)
                    kills.append(victim)
                except ProcessLookupError:
                    pass

    stats: Counter = Counter()
    completed, failed = [], []
    lock = threading.Lock()

    def respondent(number: int, link: str):
        note = f"killed-{number}"
        try:
            state = run_journey(connect_to(server.port), link, note, stats=stats, think=(1.0, 3.0))
            with lock:
                (completed if state.get("completed_page") is not None else failed).append(note)
        except (JourneyError, *CUT) as error:
            with lock:
                failed.append((note, str(error)[:100]))

    killer = threading.Thread(target=supervisor, daemon=True)
    threads = [threading.Thread(target=respondent, args=(n, link)) for n, link in enumerate(keys["links"])]
    started = time.perf_counter()
    try:
        killer.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
    finally:
        stop.set()
        killer.join()
        server.stop()
    seconds = time.perf_counter() - started
    check = check_acknowledged(database_url, completed)
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        twice = connection.execute(
            text(
                "SELECT invitation_id FROM invitation_event WHERE kind = 'completed' "
                "GROUP BY invitation_id HAVING count(*) > 1"
            )
        ).all()
        completed_rows = connection.scalar(text("SELECT count(*) FROM response WHERE status = 'completed'"))
    engine.dispose()
    print(
        f"\n{RESPONDENTS} respondents, {len(kills)} workers killed in {seconds:.1f} s: {len(completed)} saw the completion "
        f"page, {len(failed)} gave up, {completed_rows} completed responses; {dict(stats)}"
    )
    # At least 3 s of reading per journey keeps the run past 6 s whatever the machine's speed.
    assert len(kills) >= 3, "the supervisor killed workers during the run"
    assert not check["problems"], check["problems"][:5]
    assert not twice, "no response completed twice"
    assert completed_rows == len(completed), "every completed response is one a respondent saw completed"
    assert stats["HTTP 5xx"] == 0, "no 5xx: a killed request is cut (and retried), never answered 5xx"
    assert len(completed) >= 0.95 * RESPONDENTS, f"nearly every respondent completes despite the kills: {failed[:5]}"


# --------------------------------------------------------------------------- PostgreSQL restarted


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class OwnCluster:
    """A PostgreSQL cluster in a temporary folder on a port of its own (as the postgres user when root)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="pg-own-", dir="/tmp"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE app")

    def _run(self, *command):
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    def url(self, database: str = "app") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c shared_buffers=16MB"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self):
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def assert_friendly_503(status: int, content: str) -> None:
    assert status == 503, status
    assert "Sorry, the service is unavailable" in content
    assert "Traceback" not in content and "psycopg" not in content and "OperationalError" not in content


def test_postgresql_restarted_mid_run(tmp_path):
    need(_pg_bin("initdb") is not None and _pg_bin("pg_ctl") is not None, "PostgreSQL server binaries (initdb)")
    cluster = OwnCluster()
    server = None
    try:
        keys = prepare_database(cluster.url(), str(tmp_path), invitations=40)
        links = keys["links"]
        server = Gunicorn(production_env(cluster.url(), str(tmp_path)), workers=2, timeout=120)
        workers_before = sorted(server.worker_pids())
        connect = connect_to(server.port)

        completed = []
        for n in range(10):
            if run_journey(connect, links[n], f"before-{n}").get("completed_page"):
                completed.append(f"before-{n}")
        answered = []  # answers saved (redirect after the page), not submitted
        for n in range(10, 20):
            respondent = Respondent(connect)
            state, steps = journey_steps(respondent, links[n], f"saved-{n}")
            for step in steps[:4]:
                step()
            answered.append(f"saved-{n}")

        cluster.stop()
        away = Counter()
        for n in range(20, 28):  # every kind of request while the database is away
            respondent = Respondent(connect)
            status, _, content = respondent.request("GET", links[n])
            assert_friendly_503(status, content)
            away[status] += 1
            status, _, content = respondent.request("POST", f"{links[n]}/start", [("csrf_token", "x")])
            assert status in (400, 503), status  # no session yet, so the CSRF check may answer first
            away[status] += 1
        respondent = Respondent(connect)
        status, _, content = respondent.request("GET", f"{links[15]}/check")
        assert_friendly_503(status, content)

        cluster.start()
        restarted = time.perf_counter()
        status = None
        while time.perf_counter() - restarted < 30:
            status, _, _ = Respondent(connect).request("GET", links[30])
            if status == 200:
                break
            time.sleep(0.5)
        recovery = time.perf_counter() - restarted
        assert status == 200, "the pool recovers without restarting gunicorn"
        for n in range(30, 40):
            if run_journey(connect, links[n], f"after-{n}").get("completed_page"):
                completed.append(f"after-{n}")
        assert sorted(server.worker_pids()) == workers_before, "no worker restarted"
        check = check_acknowledged(cluster.url(), completed, answered)
        print(
            f"\nPostgreSQL restart: answers while away {dict(away)}; first 200 {recovery:.2f} s after the restart; "
            f"{len(completed)} completed, {len(answered)} saved-not-submitted, all there: {not check['problems']}"
        )
        assert len(completed) == 20
        assert not check["problems"], check["problems"]
    finally:
        if server is not None:
            server.stop()
        cluster.destroy()


# --------------------------------------------------------------------------- SQLite on a full disk


def test_sqlite_full_disk_answers_503_and_loses_nothing(tmp_path):
    need(os.geteuid() == 0 and shutil.which("mount"), "root, to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True)
    need(mounted.returncode == 0, f"cannot mount a tmpfs here: {mounted.stderr.decode()[:100]}")
    server = None
    try:
        database_url = f"sqlite:///{disk}/app.db"
        keys = prepare_database(database_url, str(tmp_path), invitations=60)
        links = keys["links"]
        server = Gunicorn(production_env(database_url, str(tmp_path)), workers=2, timeout=120)
        connect = connect_to(server.port)
        completed = [
            f"room-{n}" for n in range(10) if run_journey(connect, links[n], f"room-{n}").get("completed_page")
        ]

        filler = disk / "filler"
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        outcomes = Counter()
        for n in range(10, 50):
            stats = Counter()
            try:
                state = run_journey(connect, links[n], f"full-{n}", retries=0, stats=stats)
                if state.get("completed_page"):
                    completed.append(f"full-{n}")
                outcomes["completed"] += 1
            except JourneyError as error:
                status, content = error.args[1], error.args[2]
                assert status == 503, f"{status}: {content[:300]}"
                assert_friendly_503(status, content)
                outcomes["503"] += 1
        filler.unlink()
        for n in range(50, 55):
            if run_journey(connect, links[n], f"freed-{n}").get("completed_page"):
                completed.append(f"freed-{n}")
        server.stop()
        server = None
        check = check_acknowledged(database_url, completed)
        print(f"\nSQLite, disk full: {dict(outcomes)}; {len(completed)} completed in all; lost: {check['problems']}")
        assert outcomes["503"] >= 1, "the full disk was met"
        assert not check["problems"], check["problems"]
        assert all(f"freed-{n}" in completed for n in range(50, 55)), "journeys complete again once there is room"
    finally:
        if server is not None:
            server.stop()
        subprocess.run(["umount", str(disk)], capture_output=True)
