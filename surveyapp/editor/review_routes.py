"""The preview a shareable preview link opens, for reviewers without an account: /preview/<token>.

The link opens its own survey's draft (or current version) through the editor's preview pages and nothing
else; nothing a reviewer does is stored. Unknown tokens count as guesses and are throttled like respondents'
links (auth/throttle.py), with the same 404; a revoked or expired link gets a page that says so (410).
"""

from __future__ import annotations

from flask import abort, g, render_template, request
from flask_babel import gettext

from ..auth.throttle import refuse_unknown_link
from ..extensions import db
from ..models import Survey
from ..questionnaires.messages import N_
from ..services import preview_links
from . import review_bp
from .preview import Place, preview_page_of, start_preview


class _Gone(Exception):
    pass


def _survey_of(token: str) -> Survey:
    link = preview_links.find_link(db.session, token)
    if link is None:
        refuse_unknown_link(db.session, request.remote_addr or "unknown")
    if not link.is_live:
        raise _Gone
    survey = db.session.get(Survey, link.survey_id)
    if survey is None:
        abort(404)
    return survey


def _place(token: str) -> Place:
    return Place(
        endpoint="review.preview_page",
        values={"token": token},
        notice=N_("A preview for review: nothing you enter is stored or sent."),
    )


def _gone():
    return render_template("editor/review_gone.html", title=gettext("This preview link no longer works")), 410


@review_bp.before_request
def _read_first():
    # Reads run in a read transaction (no SQLite write lock); a guess is counted in write_transaction().
    g.read_only = request.method in ("GET", "HEAD")
    g.read_first = True


@review_bp.teardown_request
def _forget_transaction_flags(_exc):
    for name in ("read_only", "read_first", "writing"):
        g.pop(name, None)


@review_bp.after_request
def _not_for_search_engines(response):
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@review_bp.get("/preview/<token>")
def preview(token):
    try:
        survey = _survey_of(token)
    except _Gone:
        return _gone()
    return start_preview(survey, _place(token))


@review_bp.route("/preview/<token>/<page_name>", methods=["GET", "POST"])
def preview_page(token, page_name):
    try:
        survey = _survey_of(token)
    except _Gone:
        return _gone()
    return preview_page_of(survey, _place(token), page_name)
