"""Shareable preview links, from the editor: create one (shown once), list them, revoke one. Each is audited.

The link opens the survey's draft, or its current version when there is no draft, read-only
(review_routes.py); services/preview_links.py keeps only the token's hash.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from ..audit import record_audit
from ..auth.access import roles_required
from ..extensions import db
from ..models import PreviewLink, utcnow
from ..services import preview_links
from . import bp
from .common import EDITORS, editable_survey_or_404, form_errors
from .forms import ActionForm, PreviewLinkForm


def _page(survey, form=None, status=200):
    form = form or PreviewLinkForm(formdata=None)
    return render_template(
        "editor/preview_links.html",
        title=gettext("Preview links for %(title)s", title=survey.title),
        survey=survey,
        links=preview_links.links_of(db.session, survey),
        form=form,
        errors=form_errors(form),
        action_form=ActionForm(formdata=None),
        now=utcnow(),
    ), status


@bp.route("/surveys/<slug>/editor/preview-links", methods=["GET", "POST"])
@roles_required(*EDITORS)
def preview_links_page(slug):
    survey = editable_survey_or_404(slug)
    form = PreviewLinkForm()
    if not form.is_submitted():
        g.read_only = True
        return _page(survey)
    if not form.validate():
        return _page(survey, form, 400)
    link, token = preview_links.create_link(
        db.session, survey, form.days.data, form.label.data or "", created_by_id=current_user.id
    )
    record_audit(
        db.session,
        "preview_link_created",
        target=survey.slug,
        detail=f"preview link {link.id} for {link.label or 'unnamed'}, expires {link.expires_at:%Y-%m-%d}",
        survey=survey,
    )
    db.session.commit()
    url = current_app.config["SURVEYAPP_BASE_URL"] + url_for("review.preview", token=token)
    # Shown once, on this page: only the token's hash is kept.
    return render_template(
        "editor/preview_link_created.html", title=gettext("Preview link created"), survey=survey, link=link, url=url
    )


@bp.post("/surveys/<slug>/editor/preview-links/<id:link_id>/revoke")
@roles_required(*EDITORS)
def preview_link_revoke(slug, link_id):
    survey = editable_survey_or_404(slug)
    link = db.session.get(PreviewLink, link_id)
    if link is None or link.survey_id != survey.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if preview_links.revoke(link):
        record_audit(
            db.session, "preview_link_revoked", target=survey.slug, detail=f"preview link {link.id}", survey=survey
        )
    db.session.commit()
    flash(gettext("The preview link for %(label)s no longer works.", label=link.label or gettext("unnamed")), "success")
    return redirect(url_for("editor.preview_links_page", slug=survey.slug))
