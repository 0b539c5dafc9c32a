"""Static files: versioned URLs cached for a year, gzip for text, revalidation for the rest.

`url_for('static', filename=...)` adds `?v=<hash of the file's content>` for files that exist (except
JavaScript modules, which import each other by plain relative URLs: a versioned script tag would load a
second copy of what another module imports). A request whose `v` matches the file's current content is
answered `Cache-Control: public, max-age=31536000, immutable`: the browser never asks again, and a
new deployment changes the URL. Any other request (no `v`, or an old one) gets an hour and an ETag, so
it is revalidated with a cheap 304.

Text files (CSS, JavaScript, SVG, JSON, maps) are sent gzipped to clients that accept it, compressed
once per worker and file version (the whole folder is a few hundred kilobytes) or read from a
`<file>.gz` next to the file when a build made one. No dependency: Flask's own static route is
replaced by `serve_static`, which keeps its path checks (`safe_join`) and 404s.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
import time

from flask import Flask, Response, abort, has_request_context, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
HOUR = 3600
COMPRESSIBLE = {".css", ".js", ".mjs", ".svg", ".json", ".map", ".txt", ".html"}
UNVERSIONED = {".js", ".mjs"}  # ES modules: imported by relative URL from other modules
# Classic scripts that no module imports: versioned (cached a year) like CSS. The dashboards' plotly.js
# is 1.2 MB (about 400 KB gzipped): a co-chair's browser fetches it once per deployment.
VERSIONED_SCRIPTS = {"dist/plotly.min.js"}


class _FileCache:
    """Per-process cache of (content hash, body, gzipped body) by path, refreshed when the file changes."""

    def __init__(self):
        self._entries: dict[str, tuple[tuple[int, int], str, bytes, bytes | None]] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> tuple[str, bytes, bytes | None]:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        entry = self._entries.get(path)
        if entry is None or entry[0] != stamp:
            with open(path, "rb") as handle:
                body = handle.read()
            digest = hashlib.sha256(body).hexdigest()[:16]
            compressed = None
            if os.path.splitext(path)[1] in COMPRESSIBLE:
                compressed = _precompressed(path, stat.st_mtime_ns) or gzip.compress(body, 9, mtime=0)
                if len(compressed) >= len(body):
                    compressed = None
            entry = (stamp, digest, body, compressed)
            with self._lock:
                self._entries[path] = entry
        return entry[1], entry[2], entry[3]


def _precompressed(path: str, mtime_ns: int) -> bytes | None:
    try:
        if os.stat(path + ".gz").st_mtime_ns >= mtime_ns:
            with open(path + ".gz", "rb") as handle:
                return handle.read()
    except OSError:
        pass
    return None


def init_static_files(app: Flask) -> None:
    cache = _FileCache()
    folder = app.static_folder

    def resolve(filename: str) -> str | None:
        path = safe_join(folder, filename)
        return path if path is not None and os.path.isfile(path) else None

    @app.url_defaults
    def _version_static_urls(endpoint, values):
        if endpoint != "static" or "v" in values:
            return
        filename = values.get("filename") or ""
        if os.path.splitext(filename)[1] in UNVERSIONED and filename not in VERSIONED_SCRIPTS:
            return
        path = resolve(filename)
        if path is not None:
            values["v"] = cache.get(path)[0]

    def serve_static(filename: str):
        path = resolve(filename)
        if path is None:
            abort(404)
        digest, body, compressed = cache.get(path)
        etag = digest + ("-gz" if compressed else "")
        use_gzip = compressed is not None and "gzip" in request.headers.get("Accept-Encoding", "").lower()
        content = compressed if use_gzip else body
        response = Response(content, mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        if compressed is not None:
            response.headers["Vary"] = "Accept-Encoding"
        response.set_etag(etag if use_gzip else digest)
        if request.args.get("v") == digest:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = f"public, max-age={HOUR}"
        return response.make_conditional(request)

    app.view_functions["static"] = serve_static
    app.jinja_env.globals["url_for"] = _static_urls_remembered(app.url_for, resolve)


RECHECK_SECONDS = 1.0


def _static_urls_remembered(url_for, resolve):
    """The templates' `url_for`, remembering `url_for('static', filename=...)` per script root and file.

    Each page links four or five static files, and each of those `url_for` calls builds the URL through
    the routing map and stats the file twice for its hash (about 4% of a respondent request's CPU,
    docs/PERFORMANCE.md). A remembered URL is used while the file's size and modification time are
    unchanged, checked at most once a second, so a changed file gets its new `?v=` at once in production
    (files change only with a deployment) and within a second in development. Any other call is
    `url_for` itself.
    """
    remembered: dict[tuple[str, str], tuple[float, tuple[int, int] | None, str]] = {}

    def templates_url_for(endpoint, **values):
        if endpoint != "static" or len(values) != 1 or "filename" not in values or not has_request_context():
            return url_for(endpoint, **values)
        filename = values["filename"]
        key = (request.script_root, filename)
        now = time.monotonic()
        entry = remembered.get(key)
        if entry is not None and now - entry[0] < RECHECK_SECONDS:
            return entry[2]
        path = resolve(filename)
        stamp = None
        if path is not None:
            stat = os.stat(path)
            stamp = (stat.st_mtime_ns, stat.st_size)
        if entry is not None and entry[1] == stamp:
            url = entry[2]
        else:
            url = url_for(endpoint, **values)
        if len(remembered) > 256:  # script roots come from requests: keep it bounded
            remembered.clear()
        remembered[key] = (now, stamp, url)
        return url

    return templates_url_for
