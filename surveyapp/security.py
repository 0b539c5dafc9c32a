"""Security headers on every response, and the per-request CSP nonce.

- Content-Security-Policy: scripts only from this site or with this request's
  nonce (`csp_nonce()` in templates; GOV.UK's template puts it on its one inline
  script); no framing, except a preview page asked for inside the editor's phone-width frame, which sets
  `g.frame_same_origin` (editor/preview.py) and may be framed by this site only; styles from this site only, except on dashboard pages,
  where Plotly sets inline styles.
- `Referrer-Policy: same-origin`: a respondent's link is a bearer token and must
  not leak to other sites in the Referer header. Not `no-referrer`: over HTTPS
  Flask-WTF refuses a POST whose Referer is missing or another site
  (WTF_CSRF_SSL_STRICT), so browsers must send it to this site, or every form
  behind the TLS proxy answers 400 (tests/load/test_load_nginx.py).
- `Cache-Control: no-store` on every page except static files and survey images: pages show
  personal data (answers, contacts, interviews), and shared computers are common.
  Static files set their own caching (static_files.py: a year for versioned URLs).
"""

from __future__ import annotations

import functools
import secrets

from flask import Flask, abort, g, request

# Files with no personal data that set their own caching (plotly.js is 4.8 MB).
CACHEABLE_ENDPOINTS = {"static", "dashboards.plotly_js", "shared.plotly_js", "media.survey_image"}

# Paths whose pages draw Plotly charts (inline style attributes set by its script).
INLINE_STYLE_PREFIXES = ("/dashboards", "/report", "/r/")  # /report covers /reports/ (report back sheets)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str, path: str, frame_ancestors: str = "'none'") -> str:
    before, after = _csp_parts(path.startswith(INLINE_STYLE_PREFIXES), frame_ancestors)
    return f"{before}{nonce}{after}"


@functools.cache
def _csp_parts(inline_styles: bool, frame_ancestors: str) -> tuple[str, str]:
    """The policy around its nonce, built once per (inline styles, frame ancestors)."""
    style = "'self'" + (" 'unsafe-inline'" if inline_styles else "")
    before = "default-src 'self'; script-src 'self' 'nonce-"
    after = "; ".join(
        [
            "'",
            f"style-src {style}",
            "img-src 'self' data:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )
    return before, after


def _has_nul(fields) -> bool:
    return any("\x00" in name or any("\x00" in value for value in values) for name, values in fields.lists())


def init_security(app: Flask) -> None:
    from .static_files import init_static_files

    app.jinja_env.globals["csp_nonce"] = csp_nonce
    init_static_files(app)  # far-future caching of versioned static URLs, gzip for text files

    @app.before_request
    def _new_nonce():
        # A new nonce for every request (g can outlive a request when an app context was pushed already).
        g.pop("csp_nonce", None)
        g.pop("frame_same_origin", None)

    # Forms whose text is checked character by character with a message of its own before anything is stored
    # (a pasted questionnaire gets the importer's error list, NUL included).
    checks_its_own_characters = {"admin.survey_import"}

    @app.before_request
    def _refuse_nul_characters():
        # No text in this product holds NUL, and PostgreSQL refuses it in any text value: a 400, never a 500.
        req = request._get_current_object()
        # Only %00 (or a raw NUL) decodes to NUL: without either, the query string's fields hold none, unparsed.
        query = req.query_string
        query_nul = (b"%00" in query or b"\x00" in query) and _has_nul(req.args)
        # Without a Content-Type there is no form to parse (request.form is empty).
        form_nul = (
            bool(req.environ.get("CONTENT_TYPE"))
            and req.endpoint not in checks_its_own_characters
            and _has_nul(req.form)
        )
        if "\x00" in req.path or query_nul or form_nul:
            abort(400)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        same_origin_frame = g.get("frame_same_origin", False)
        ancestors = "'self'" if same_origin_frame else "'none'"
        present = {name.lower() for name in headers.keys()}
        if "content-security-policy" not in present:
            headers.add("Content-Security-Policy", content_security_policy(csp_nonce(), request.path, ancestors))
        for lower, name, value in _fixed_headers(same_origin_frame, bool(app.config.get("SESSION_COOKIE_SECURE"))):
            if lower not in present:
                headers.add(name, value)
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            headers["Cache-Control"] = "no-store"
            if "pragma" not in present:
                headers.add("Pragma", "no-cache")
        return response


@functools.cache
def _fixed_headers(same_origin_frame: bool, secure_cookies: bool) -> tuple[tuple[str, str, str], ...]:
    """The headers that do not change from request to request, set unless the view set its own."""
    fixed = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "SAMEORIGIN" if same_origin_frame else "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if secure_cookies:
        fixed.append(("Strict-Transport-Security", "max-age=31536000"))
    return tuple((name.lower(), name, value) for name, value in fixed)
