"""Real servers for the load and fault tests: gunicorn in production mode, nginx with deploy/nginx.conf,
a PostgreSQL cluster of the test's own, and a respondent that speaks HTTP like a browser.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SURVEY_FILE = ROOT / "bench" / "bench_journey_survey.yaml"  # four questions on one page
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ANSWERS = [("service", "c"), ("score", "7"), ("recommend", "yes")]
SHOWN = ["service", "score", "recommend", "note"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


def production_env(database_url: str, instance: str, **extra) -> dict:
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        SURVEYAPP_ENV="production",
        SECRET_KEY=SECRET_KEY,
        SURVEYAPP_BASE_URL="https://surveys.test",
        MAIL_SERVER="127.0.0.1",
        DATABASE_URL=database_url,
        SURVEYAPP_INSTANCE_PATH=instance,
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


SECRET_KEY = "load-test-secret-" + secrets.token_urlsafe(32)


class Gunicorn:
    """`gunicorn -c deploy/gunicorn.conf.py wsgi:app` on a port of its own."""

    def __init__(self, env: dict, workers: int = 2, port: int | None = None, timeout: int = 30, access_log=False):
        self.port = port or free_port()
        self.access_log_path = tempfile.mktemp(prefix="gunicorn-access-", suffix=".log") if access_log else None
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.workers = workers
        self.log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-c",
                str(ROOT / "deploy/gunicorn.conf.py"),
                "--timeout",
                str(timeout),
                "--access-logfile",
                self.access_log_path or "/dev/null",
                "wsgi:app",
            ],
            cwd=str(ROOT),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, 120, self.process)
        deadline = time.time() + 120
        while len(self.worker_pids()) < workers and time.time() < deadline:
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                        pids.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue
        return pids

    def access_log(self) -> str:
        return Path(self.access_log_path).read_text(errors="replace") if self.access_log_path else ""

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)
        if self.access_log_path:
            Path(self.access_log_path).unlink(missing_ok=True)


class Nginx:
    """deploy/nginx.conf with ports, paths, upstreams and a self-signed certificate swapped in."""

    def __init__(self, upstream_ports: list[int], folder: Path):
        self.folder = folder
        self.http_port, self.https_port = free_port(), free_port()
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
            + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )
        self.cert = cert
        config = (ROOT / "deploy/nginx.conf").read_text()
        swaps = [
            (r"(?m)^user www-data;", "user root;" if os.getuid() == 0 else ""),
            (r"pid /run/nginx.pid;", f"pid {folder}/nginx.pid;"),
            (r"error_log /var/log/nginx/error.log warn;", f"error_log {folder}/error.log warn;"),
            (r"access_log /var/log/nginx/access.log;", f"access_log {folder}/access.log;\n    " + _temp_paths(folder)),
            (r"listen 80 default_server;", f"listen 127.0.0.1:{self.http_port} default_server;"),
            (r"listen \[::\]:80 default_server;", ""),
            (r"listen 443 ssl http2 default_server;", f"listen 127.0.0.1:{self.https_port} ssl http2 default_server;"),
            (r"listen \[::\]:443 ssl http2 default_server;", ""),
            (r"ssl_certificate /etc/ssl/certs/surveys.example.org.pem;", f"ssl_certificate {cert};"),
            (r"ssl_certificate_key /etc/ssl/private/surveys.example.org.key;", f"ssl_certificate_key {key};"),
            (r"server 127.0.0.1:8000;", " ".join(f"server 127.0.0.1:{p};" for p in upstream_ports)),
            # $host drops the port, which is right on 443 but not on the test's own port (the HTTPS
            # Referer check compares host and port).
            (r"proxy_set_header Host \$host;", "proxy_set_header Host $http_host;"),
        ]
        for pattern, replacement in swaps:
            config, count = re.subn(pattern, lambda _m, r=replacement: r, config)
            assert count >= 1, f"deploy/nginx.conf no longer has {pattern!r}"
        (folder / "nginx.conf").write_text(config)
        self.process = subprocess.Popen(
            ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "stderr.log", "wb"),  # noqa: SIM115
        )
        wait_for_port(self.https_port, 30, self.process)

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cert))
        return context

    def connection(self, timeout: float = 30) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("localhost", self.https_port, timeout=timeout, context=self.context())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _temp_paths(folder: Path) -> str:
    return " ".join(
        f"{name}_temp_path {folder}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )


def nginx_available() -> bool:
    return shutil.which("nginx") is not None and shutil.which("openssl") is not None


class JourneyError(Exception):
    pass


class Respondent:
    """One person's browser: a cookie jar and requests over a new connection each (as to sync workers).

    With `origin` (e.g. https://localhost:8443) it sends the Referer a browser would: the last page's
    address, unless that page's Referrer-Policy was `no-referrer`.
    """

    def __init__(self, connect, origin: str | None = None):
        self.connect = connect
        self.origin = origin
        self.cookies: dict[str, str] = {}
        self.statuses: list[int] = []
        self.referer: str | None = None

    def request(self, method: str, path: str, form=None):
        headers = {"User-Agent": "load-test"}
        if self.referer:
            headers["Referer"] = self.referer
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self.connect()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        self.statuses.append(response.status)
        if self.origin and response.status == 200:
            policy = (response.getheader("Referrer-Policy") or "").lower()
            self.referer = None if policy == "no-referrer" else self.origin + path
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, response, content

    def expect(self, method, path, status, form=None):
        got, response, content = self.request(method, path, form)
        if got != status:
            raise JourneyError(f"{method} {path}: {got}", got, content)
        return response, content


def csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise JourneyError("no CSRF token")
    return match.group(1)


def local(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def journey_steps(respondent: Respondent, link: str, note: str):
    """The journey as a list of steps (callables), so a caller can retry a step cut by a killed worker."""
    state: dict = {}

    def open_link():
        _, state["html"] = respondent.expect("GET", link, 200)

    def start():
        response, _ = respondent.expect("POST", f"{link}/start", 302, [("csrf_token", csrf(state["html"]))])
        state["page"] = local(response.getheader("Location"))

    def show_page():
        _, state["html"] = respondent.expect("GET", state["page"], 200)

    def answer():
        form = [("csrf_token", csrf(state["html"])), *ANSWERS, ("note", note), *[("_shown", n) for n in SHOWN]]
        response, _ = respondent.expect("POST", state["page"], 302, form)
        state["check"] = local(response.getheader("Location"))

    def check():
        _, state["html"] = respondent.expect("GET", state.get("check", f"{link}/check"), 200)

    def submit():
        status, response, html = respondent.request("POST", f"{link}/submit", [("csrf_token", csrf(state["html"]))])
        if status in (302, 303):  # post, redirect, get: the completion page
            _, html = respondent.expect("GET", local(response.getheader("Location")), 200)
        elif status != 200:
            raise JourneyError(f"POST {link}/submit: {status}", status, html)
        text = html.lower()
        if "answers have been sent" not in text and "already completed" not in text:
            raise JourneyError("no completion page")
        state["completed_page"] = "answers have been sent" in text or "already completed" in text

    return state, [open_link, start, show_page, answer, check, submit]


def prepare_database(database_url: str, instance: str, invitations: int = 0, **config) -> dict:
    """Schema, the four-question survey (open) and `invitations` personal links; returns keys and links."""
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.models import Contact
    from surveyapp.services.invitations import invite
    from surveyapp.services.links import invitation_token
    from surveyapp.services.surveys import import_definition, set_status

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SURVEYAPP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "SURVEYAPP_BASE_URL": "https://surveys.test",
            "MAIL_SERVER": "127.0.0.1",
            **config,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        survey = import_definition(db.session, SURVEY_FILE.read_text()).survey
        set_status(db.session, survey, "open")
        contacts = [Contact(email=f"person{n}@example.org") for n in range(invitations)]
        db.session.add_all(contacts)
        db.session.flush()
        links = [f"/s/{invitation_token(i)}" for i in invite(db.session, survey, contacts=contacts)] if contacts else []
        db.session.commit()
        result = {"public_key": survey.public_key, "links": links, "survey_id": survey.id}
        db.session.remove()
        db.engine.dispose()
    return result


def completed_notes(database_url: str) -> dict[str, list[tuple[int, str, int]]]:
    """note answer -> [(response id, status, number of answers)] for every response that has a note."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.value_text, r.id, r.status, (SELECT count(*) FROM answer x WHERE x.response_id = r.id) "
                "FROM answer a JOIN question q ON q.id = a.question_id JOIN response r ON r.id = a.response_id "
                "WHERE q.name = 'note'"
            )
        ).all()
    engine.dispose()
    found: dict[str, list] = {}
    for note, response_id, status, answers in rows:
        found.setdefault(note, []).append((response_id, status, answers))
    return found
