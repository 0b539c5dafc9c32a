"""The read-only share link for people without an account (commissioners): /r/<token>.

The link opens one final report back under its survey's disclosure control and
nothing else: every other URL carrying the token is an unknown URL (404). Unknown,
revoked and expired tokens count as guesses and are throttled like respondents'
links (auth/throttle.py), with the same 404.
"""

from __future__ import annotations

from flask import abort, g, request, send_file

from ..auth.throttle import record_token_guess, too_many_token_guesses
from ..extensions import db
from . import service, share_bp
from .render import PLOTLY_JS, render_sheet


def _address() -> str:
    return request.remote_addr or "unknown"


@share_bp.get("/r/<token>")
def view(token):
    if too_many_token_guesses(db.session, _address()):
        abort(429)
    report = service.find_shared_report(db.session, token)
    if report is None:
        db.session.rollback()
        record_token_guess(db.session, _address())
        db.session.commit()
        abort(404)
    g.read_only = True
    response = render_sheet(report, mode="share")
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@share_bp.get("/assets/plotly.min.js")
def plotly_js():
    """plotly.js for printed and shared sheets (a public library: no data in it)."""
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
