"""Shareable preview links: an editor makes one, a reviewer without an account pages through the draft with the
engine's validation and conditions, nothing is stored, the link can be revoked and expires, the token is kept
only as a hash, unknown tokens are throttled, and making and revoking are audited. Also the phone-width frame."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from auth_helpers import make_user, sign_in
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, AuditEvent, LoginAttempt, PreviewLink, Response, utcnow

LINK = re.compile(r'value="http://surveys\.test(/preview/([A-Za-z0-9_-]+))"')


@pytest.fixture
def admin(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


@pytest.fixture
def survey(import_survey):
    return import_survey("interview")


def _create(admin, label="Practice manager", days="14"):
    response = admin.post("/admin/surveys/test-interview/editor/preview-links", data={"label": label, "days": days})
    assert response.status_code == 200, response.text
    path, token = LINK.search(response.text).groups()
    return path, token


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _carry(html: str) -> str:
    return re.search(r'name="_preview" value="([^"]*)"', html).group(1).replace("&#34;", '"')


def test_a_reviewer_pages_through_the_draft_without_signing_in_and_nothing_is_stored(app, admin, survey):
    # A draft whose wording differs from the published version: the reviewer sees the draft.
    admin.post(
        "/admin/surveys/test-interview/editor/questions/agree",
        data={"label": "Does the person agree to answer <b>a few</b> questions?", "page": "consent", "type": "yes_no"},
    )
    path, token = _create(admin)
    responses_before, answers_before = _count(Response), _count(Answer)
    reviewer = app.test_client()  # no account, no session
    start = reviewer.get(path)
    assert start.status_code == 302 and start.location == f"{path}/consent"
    first = reviewer.get(start.location)
    assert first.status_code == 200 and first.headers["X-Robots-Tag"] == "noindex"
    assert "Does the person agree to answer &lt;b&gt;a few&lt;/b&gt; questions?" in first.text  # escaped
    assert "nothing you enter is stored" in first.text and "Sign out" not in first.text
    service = reviewer.post(f"{path}/consent", data={"_shown": "agree", "agree": "yes", "_preview": "{}"})
    assert "Are you satisfied with the service?" in service.text
    carry = _carry(service.text)
    missing = reviewer.post(f"{path}/service", data={"_shown": "satisfied", "_preview": carry})
    assert missing.status_code == 400 and "govuk-error-summary" in missing.text  # the engine's validation
    revealed = reviewer.post(f"{path}/service", data={"_shown": "satisfied", "satisfied": "no", "_preview": carry})
    assert "Why not?" in revealed.text  # a condition within the page, shown before moving on
    walked = reviewer.post(
        f"{path}/service",
        data={"_shown": ["satisfied", "why_not"], "satisfied": "no", "why_not": "Too slow", "_preview": carry},
    )
    assert walked.status_code == 200
    assert _count(Response) == responses_before and _count(Answer) == answers_before
    # Declining consent skips the conditional pages: the end, with nothing stored either.
    end = reviewer.post(f"{path}/consent", data={"_shown": "agree", "agree": "no", "_preview": "{}"})
    assert "End of the preview" in end.text and "Back to the editor" not in end.text
    assert _count(Response) == 0 and _count(Answer) == 0


def test_the_token_is_stored_only_as_a_hash_and_making_and_revoking_are_audited(app, admin, survey):
    path, token = _create(admin, label="Wording <script>alert(1)</script>")
    link = db.session.scalar(select(PreviewLink))
    assert token not in (link.token_hash, link.label) and len(token) >= 43
    for (detail,) in db.session.execute(select(AuditEvent.detail)):
        assert token not in (detail or "")
    listing = admin.get("/admin/surveys/test-interview/editor/preview-links").text
    assert "Wording &lt;script&gt;" in listing and "<script>alert" not in listing
    assert token not in listing  # shown once, on the page that made it
    revoked = admin.post(f"/admin/surveys/test-interview/editor/preview-links/{link.id}/revoke")
    assert revoked.status_code == 302
    refused = app.test_client().get(path)
    assert refused.status_code == 410 and "This preview link no longer works" in refused.text
    assert app.test_client().post(f"{path}/consent", data={"agree": "yes"}).status_code == 410
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["preview_link_created", "preview_link_revoked"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "preview_link_created"))
    assert event.actor == "admin@example.org" and event.survey_id == survey.id


def test_an_expired_link_is_refused_with_a_page_that_says_so(app, admin, survey):
    path, _token = _create(admin, days="1")
    assert app.test_client().get(path).status_code == 302
    link = db.session.scalar(select(PreviewLink))
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410 and "expired" in response.text
    assert "Expired" in admin.get("/admin/surveys/test-interview/editor/preview-links").text


def test_a_link_lasts_fourteen_days_by_default_and_bad_days_are_explained(admin, survey):
    page = admin.get("/admin/surveys/test-interview/editor/preview-links").text
    assert 'name="days"' in page and 'value="14"' in page
    for days in ("0", "91", "ten", "9" * 30, ""):
        response = admin.post("/admin/surveys/test-interview/editor/preview-links", data={"days": days})
        assert response.status_code == 400 and "govuk-error-summary" in response.text, days
    assert _count(PreviewLink) == 0
    _create(admin)
    link = db.session.scalar(select(PreviewLink))
    assert timedelta(days=13, hours=23) < link.expires_at - link.created_at <= timedelta(days=14, minutes=1)


def test_unknown_tokens_are_404_and_throttled_while_a_real_link_still_works(app, admin, survey):
    app.config.update(TOKEN_GUESS_LIMIT=3, TOKEN_GUESS_WINDOW_MINUTES=10)
    path, _token = _create(admin)
    guesser = app.test_client()
    for i in range(3):
        assert guesser.get(f"/preview/{'A' * 43}{i}").status_code == 404
    assert guesser.get(f"/preview/{'A' * 43}").status_code == 429
    assert guesser.post(f"/preview/{'B' * 43}/consent").status_code == 429
    assert _count(LoginAttempt) == 3
    assert guesser.get(path).status_code == 302  # the real link is never refused
    for hostile in ("x" * 5000, "%00", "<script>", "../admin"):
        assert guesser.get(f"/preview/{hostile}").status_code in (400, 404, 429)  # NUL: 400 (security.py)


def test_a_link_opens_only_its_own_survey_and_revoking_another_survey_s_link_is_404(app, admin, survey, import_survey):
    import_survey("short_text")
    path, _token = _create(admin)
    reviewer = app.test_client()
    assert reviewer.get(f"{path}/no-such-page").status_code == 404
    link = db.session.scalar(select(PreviewLink))
    assert admin.post(f"/admin/surveys/test-short-text/editor/preview-links/{link.id}/revoke").status_code == 404
    assert admin.post("/admin/surveys/test-interview/editor/preview-links/99999/revoke").status_code == 404
    assert reviewer.get("/admin/surveys/test-interview/editor").status_code == 302  # the token opens nothing else


def test_phone_width_renders_the_preview_in_a_375_pixel_frame_that_only_this_site_may_frame(app, admin, survey):
    framed_page = admin.get("/admin/surveys/test-interview/editor/preview?width=phone")
    assert framed_page.status_code == 200
    frame = re.search(r"<iframe[^>]*>", framed_page.text).group(0)
    assert 'width="375"' in frame and 'title="Preview of Interview test at phone width' in frame
    src = re.search(r'src="([^"]+)"', frame).group(1).replace("&amp;", "&")
    assert "frame-ancestors 'none'" in framed_page.headers["Content-Security-Policy"]
    assert framed_page.headers["X-Frame-Options"] == "DENY"
    inner = admin.get(src)
    assert inner.status_code == 302 and "frame=1" in inner.location
    page = admin.get(inner.location)
    assert page.status_code == 200 and "Does the person agree" in page.text
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert 'action="/admin/surveys/test-interview/editor/preview/consent?frame=1"' in page.text
    # Only the framed preview may be framed: the editor itself, and the next request, are not.
    overview = admin.get("/admin/surveys/test-interview/editor")
    assert overview.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in overview.headers["Content-Security-Policy"]
    assert admin.get("/admin/?frame=1").headers["X-Frame-Options"] == "DENY"
    desktop = admin.get("/admin/surveys/test-interview/editor/preview/consent")
    assert "Start again at phone width" in desktop.text and desktop.headers["X-Frame-Options"] == "DENY"


def test_a_reviewer_can_choose_phone_width_too(app, admin, survey):
    path, _token = _create(admin)
    reviewer = app.test_client()
    framed_page = reviewer.get(f"{path}?width=phone")
    assert framed_page.status_code == 200 and 'width="375"' in framed_page.text
    inner = reviewer.get(f"{path}?frame=1")
    page = reviewer.get(inner.location)
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN" and "Does the person agree" in page.text


def test_a_draft_with_problems_tells_the_reviewer_to_come_back_later(app, admin):
    admin.post("/admin/new-survey", data={"title": "Unfinished", "slug": "unfinished", "start": "blank"})
    response = admin.post("/admin/surveys/unfinished/editor/preview-links", data={"label": "", "days": "14"})
    path = LINK.search(response.text).group(1)
    page = app.test_client().get(path)
    assert page.status_code == 200 and "cannot be previewed yet" in page.text
    assert "still fixing these problems" in page.text and "/editor" not in page.text
