"""Admin: the images stored with a survey (easy read pictures, an XLSForm's media): upload and remove.

A question shows an image by naming it (`image: pharmacy.png`); services/images.py checks, re-encodes and
stores the files; the media blueprint serves them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from ..audit import record_audit
from ..auth.access import roles_required
from ..extensions import db
from ..models import SurveyImage
from ..services.images import MAX_BYTES, ImageError, add_image
from ..web import survey_or_404
from . import bp
from .forms import ActionForm, ImagesForm
from .survey_pages import survey_page


def store_uploads(survey, uploads) -> tuple[list[str], list[str]]:
    """(names stored, problems): each file on its own, so one bad file does not lose the others."""
    stored, problems = [], []
    for upload in uploads or []:
        filename = getattr(upload, "filename", "") or ""
        if not filename:
            continue
        raw = upload.read(MAX_BYTES + 1)
        try:
            image, replaced = add_image(db.session, survey, filename, raw, current_user.id)
        except ImageError as exc:
            problems.append(str(exc))
            continue
        record_audit(
            db.session,
            "survey.image_replaced" if replaced else "survey.image_added",
            target=survey.slug,
            survey=survey,
            detail=f"{image.name} ({image.width}×{image.height}, {image.size} bytes)",
        )
        stored.append(image.name)
    return stored, problems


@bp.post("/surveys/<slug>/images")
@roles_required("admin")
def survey_images(slug):
    survey = survey_or_404(slug)
    form = ImagesForm()
    if not form.validate_on_submit():
        return survey_page(
            survey, 400, errors=[{"text": gettext("The form has expired: upload the images again"), "href": "#images"}]
        )
    stored, problems = store_uploads(survey, form.images.data)
    if not stored and not problems:
        problems = [gettext("Choose one or more images to upload")]
    db.session.commit()  # what was good is kept even when another file was refused
    if problems:
        return survey_page(
            survey,
            400,
            errors=[{"text": p, "href": "#images"} for p in problems],
            stored_images=stored,
        )
    flash(
        ngettext(
            "Stored %(num)s image: %(names)s.",
            "Stored %(num)s images: %(names)s.",
            len(stored),
            names=", ".join(stored),
        ),
        "success",
    )
    return redirect(url_for("admin.survey", slug=survey.slug) + "#images-section")


@bp.post("/surveys/<slug>/images/<id:image_id>/remove")
@roles_required("admin")
def survey_image_remove(slug, image_id):
    survey = survey_or_404(slug)
    image = db.session.get(SurveyImage, image_id)
    if image is None or image.survey_id != survey.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    record_audit(db.session, "survey.image_removed", target=survey.slug, survey=survey, detail=image.name)
    db.session.delete(image)
    db.session.commit()
    flash(gettext("Removed the image %(name)s.", name=image.name), "success")
    return redirect(url_for("admin.survey", slug=survey.slug) + "#images-section")
