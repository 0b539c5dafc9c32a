"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (docs/DEPLOYMENT.md).

Sync workers behind nginx (deploy/nginx.conf), which is mandatory: nginx reads every request whole
before passing it on, so a slow client never holds a worker; gunicorn listens on the loopback or a
private address only. Environment overrides: GUNICORN_BIND, WEB_CONCURRENCY (workers).
"""

import multiprocessing
import os

from gunicorn.http import wsgi as _gunicorn_wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Measured in bench/bench_journey.py: 4 sync workers on 2 cores.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count())
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 2
limit_request_line = 8190
limit_request_fields = 100
max_requests = 20000  # recycle workers now and then; jitter so they do not all restart at once
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Do not announce "Server: gunicorn" (issue 13): gunicorn has no setting for it, so leave the header out
# of the defaults it writes. nginx sends its own "Server: nginx" without a version.
_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [header for header in _default_headers(self) if not header.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server
