"""deploy/nginx.conf in front of gunicorn (deploy/gunicorn.conf.py): slow clients, headers, no "gunicorn".

nginx and gunicorn run as real processes with the shipped configuration files (nginx's ports, paths and
certificate swapped for temporary ones). Issue 13 items 8 and 11.
"""

from __future__ import annotations

import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import need
from servers import Gunicorn, Nginx, Respondent, journey_steps, nginx_available, prepare_database, production_env

pytestmark = pytest.mark.slow

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    need(nginx_available(), "nginx and openssl are not installed (scripts/install_system_deps.sh)")
    folder = tmp_path_factory.mktemp("nginx")
    database_url = f"sqlite:///{folder}/app.db"
    keys = prepare_database(database_url, str(folder))
    gunicorn = Gunicorn(production_env(database_url, str(folder), TRUSTED_PROXIES=1), workers=2)
    nginx = None
    try:
        nginx = Nginx([gunicorn.port], folder)
        yield gunicorn, nginx, keys
    finally:
        if nginx is not None:
            nginx.stop()
        gunicorn.stop()


def slow_client(port: int, tls_context: ssl.SSLContext | None = None):
    """A connection that sends half a request's headers and then nothing."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = tls_context.wrap_socket(raw, server_hostname="localhost") if tls_context else raw
    sock.sendall(b"GET /login HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
    return sock


def timed_get(connect, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = connect()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def warm_every_worker(nginx, path: str, requests: int) -> None:
    """Requests at once, so that every worker has compiled its templates before anything is timed."""
    with ThreadPoolExecutor(requests) as pool:
        statuses = list(pool.map(lambda _: timed_get(lambda: nginx.connection(timeout=120), path)[0], range(requests)))
    assert statuses == [200] * requests


def test_two_slow_clients_stall_bare_gunicorn_but_not_nginx(stack):
    import http.client

    gunicorn, nginx, keys = stack
    page = f"/p/{keys['public_key']}"
    warm_every_worker(nginx, page, 4 * gunicorn.workers)

    # Straight to gunicorn: two clients that never finish their headers hold both sync workers.
    slow = [slow_client(gunicorn.port) for _ in range(gunicorn.workers)]
    try:
        time.sleep(0.5)
        with pytest.raises((TimeoutError, socket.timeout)):
            timed_get(lambda: http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=3), page)
    finally:
        for sock in slow:
            sock.close()

    # Through nginx: it reads headers itself (with client_header_timeout), the workers stay free.
    slow = [slow_client(nginx.https_port, nginx.context()) for _ in range(2 * gunicorn.workers)]
    try:
        time.sleep(0.5)
        times = []
        for _ in range(5):
            status, seconds = timed_get(lambda: nginx.connection(timeout=10), page)
            assert status == 200
            times.append(seconds)
        print(f"\nwith {len(slow)} slow clients on nginx: 5 requests took {[round(t, 3) for t in times]} s")
        assert max(times) < 3
    finally:
        for sock in slow:
            sock.close()


def test_pages_through_nginx_carry_each_security_header_once_and_no_gunicorn(stack):
    gunicorn, nginx, keys = stack
    connection = nginx.connection()
    connection.request("GET", f"/p/{keys['public_key']}")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    for name in (*SECURITY_HEADERS, "Strict-Transport-Security", "Cache-Control"):
        values = [v for k, v in response.getheaders() if k.lower() == name.lower()]
        assert len(values) == 1, f"{name}: {values}"
    assert "nonce-" in response.getheader("Content-Security-Policy"), "the app's own policy, not nginx's"
    assert response.getheader("Server") == "nginx"


def test_a_browser_journey_over_tls_through_nginx_completes(stack):
    """Over HTTPS Flask-WTF also checks that the Referer is this site: a browser sends one only if the
    pages' Referrer-Policy allows it (`no-referrer` made every POST behind the TLS proxy answer 400)."""
    _, nginx, keys = stack
    respondent = Respondent(lambda: nginx.connection(timeout=120), origin=f"https://localhost:{nginx.https_port}")
    state, steps = journey_steps(respondent, f"/p/{keys['public_key']}", "over-tls")
    for step in steps:
        step()
    assert state["completed_page"] is True


def test_gunicorn_does_not_announce_itself(stack):
    import http.client

    gunicorn, _, keys = stack
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=30)
    connection.request("GET", f"/p/{keys['public_key']}")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    assert response.getheader("Server") is None


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 414),  # over-long request line
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"b" * 10000 + b"\r\n\r\n", 400),  # over-long header
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nBroken header line\r\n\r\n", 400),
        (b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 20000000\r\n\r\n", 413),
    ],
)
def test_nginx_own_error_pages_carry_security_headers(stack, request_bytes, status):
    _, nginx, _ = stack
    with socket.create_connection(("127.0.0.1", nginx.https_port), timeout=10) as raw:
        with nginx.context().wrap_socket(raw, server_hostname="localhost") as sock:
            sock.sendall(request_bytes)
            reply = b""
            while b"\r\n\r\n" not in reply:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    assert lines[0].split()[1] == str(status), lines[0]
    headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in lines[1:] if ":" in line}
    for name in SECURITY_HEADERS:
        assert name.lower() in headers, f"{name} missing on nginx's {status}"
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["server"] == "nginx", "server_tokens off: no version"
