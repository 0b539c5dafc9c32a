"""Blueprint: the images stored with a survey, served to anyone who has a page that shows them.

`GET /media/<survey slug>/<image name>`. Public like the questions themselves (a respondent on a public link
or a reviewer's preview link has no account); the image bytes are the re-encoded ones (no metadata), sent
with their stored content type, `nosniff`, an ETag of their SHA-256 and a day's cache.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask import Response as HTTPResponse
from sqlalchemy import select

from ..extensions import db
from ..models import Survey
from ..services.images import image_named

bp = Blueprint("media", __name__)
MAX_AGE = 86400


@bp.get("/media/<path:path>")
def survey_image(path):
    slug, _, name = path.partition("/")
    if not slug or not name or len(path) > 250:
        abort(404)
    survey_id = db.session.scalar(select(Survey.id).where(Survey.slug == slug))
    image = image_named(db.session, survey_id, name) if survey_id is not None else None
    if image is None:
        abort(404)
    etag = image.sha256
    if request.if_none_match.contains(etag):
        response = HTTPResponse(status=304)
    else:
        response = HTTPResponse(image.data, mimetype=image.content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{image.name}"'
    return response
