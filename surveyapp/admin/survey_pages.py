"""Admin pages for one survey: import a definition (as the CLI does), the survey's page, its versions' source
and their XLSForm.

The import page calls `services.surveys.import_definition` (or, for an XLSForm workbook,
`services.xlsform.import_xlsform`), the same functions as `flask surveys import`, and shows every problem
of a rejected file with its line, or its sheet and row.
"""

from __future__ import annotations

import io
import json
from datetime import date

from flask import abort, flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from ..audit import record_audit
from ..auth.access import roles_required
from ..extensions import db
from ..i18n import translate
from ..models import Invitation, SurveyVersion
from ..numbers import query_int
from ..questionnaires.definition import Questionnaire
from ..questionnaires.loader import DefinitionError
from ..questionnaires.media import used_images
from ..questionnaires.xlsform_export import XLSFormExportError
from ..services import fhir as fhir_service
from ..services.images import images_of
from ..services.survey_settings import SettingsError, SurveySettings, change_settings
from ..services.surveys import import_definition, import_outcome, version_response_counts
from ..services.xlsform import XLSX_MIMETYPE, import_xlsform, looks_like_workbook, survey_version, version_xlsform
from ..web import survey_or_404
from . import bp
from .forms import (
    MAX_DEFINITION_CHARACTERS,
    ActionForm,
    DisclosurePolicyForm,
    ImagesForm,
    ImportSurveyForm,
    SurveySettingsForm,
)


def _definition_from(form: ImportSurveyForm) -> tuple[str | bytes, str, list[dict]]:
    """(text, or a workbook's bytes; source name; errors) from the upload, or else the pasted text."""
    upload = form.definition_file.data
    if upload is not None and getattr(upload, "filename", ""):
        raw = upload.read(MAX_DEFINITION_CHARACTERS * 4 + 1)
        if len(raw) > MAX_DEFINITION_CHARACTERS * 4:
            return (
                "",
                upload.filename,
                [
                    {
                        "text": gettext(
                            "The file is too large: a definition is at most 1,000,000 characters, a workbook at most 4 MB"
                        ),
                        "href": "#definition_file",
                    }
                ],
            )
        if looks_like_workbook(raw):
            return raw, upload.filename, []
        try:
            return raw.decode("utf-8-sig"), upload.filename, []
        except UnicodeDecodeError:
            return (
                "",
                upload.filename,
                [
                    {
                        "text": gettext("The file must be UTF-8 text (YAML or JSON) or an Excel workbook (.xlsx)"),
                        "href": "#definition_file",
                    }
                ],
            )
    text = (form.definition_text.data or "").replace("\r\n", "\n")
    if not text.strip():
        return (
            "",
            "",
            [{"text": gettext("Upload a definition file or paste the definition"), "href": "#definition_file"}],
        )
    return text, "pasted definition", []


@bp.route("/surveys/import", methods=["GET", "POST"])
@roles_required("admin")
def survey_import():
    form = ImportSurveyForm()
    errors: list[dict] = []
    problems: list = []
    if form.validate_on_submit():
        definition, source, errors = _definition_from(form)
        if not errors:
            converted = None
            try:
                if isinstance(definition, bytes):
                    imported = import_xlsform(db.session, definition, source, form.skip_unsupported.data)
                    result, converted = imported.result, imported.converted
                elif fhir_service.looks_like_fhir(definition):  # a FHIR Questionnaire (docs/fhir.md)
                    result = fhir_service.import_questionnaire(db.session, definition, source)
                else:
                    result = import_definition(db.session, definition, source)
            except (DefinitionError, fhir_service.FhirImportError) as exc:
                db.session.rollback()
                problems = exc.problems
                href = "#definition_file" if isinstance(definition, bytes) else "#definition_text"
                errors = [{"text": translate(p), "href": href} for p in problems]
                if getattr(exc, "unsupported", 0):
                    errors.append(
                        {
                            "text": gettext(
                                "%(count)s of these are parts the product cannot serve: tick 'import the rest' to leave "
                                "them out",
                                count=exc.unsupported,
                            ),
                            "href": "#skip_unsupported",
                        }
                    )
                if not isinstance(definition, bytes):
                    # Keep an uploaded file's text in the box so it can be corrected here.
                    form.definition_text.data = definition
            else:
                record_audit(
                    db.session,
                    "survey_imported",
                    target=result.survey.slug,
                    detail=f"version {result.version.number} from the admin page"
                    + (" (an XLSForm)" if converted else ""),
                    survey=result.survey,
                )
                db.session.commit()
                flash(import_outcome(result), "success")
                if converted is not None:
                    for line in converted.left_out:
                        flash(gettext("Left out: %(part)s", part=translate(line)), "info")
                    for line in converted.notices:
                        flash(gettext("Note: %(note)s", note=translate(line)), "info")
                return redirect(url_for("admin.survey", slug=result.survey.slug))
    elif form.errors:
        errors = [
            {"text": message, "href": f"#{name}"} for name, messages in form.errors.items() for message in messages
        ]
    field_errors = {}
    for error in errors:
        field_errors.setdefault(error["href"][1:], error["text"])
    if problems:
        message = ngettext(
            "The definition has %(num)s problem, listed at the top of the page: nothing was imported",
            "The definition has %(num)s problems, listed at the top of the page: nothing was imported",
            len(problems),
        )
        field_errors["definition_file" if errors and errors[0]["href"] == "#definition_file" else "definition_text"] = (
            message
        )
    return render_template(
        "admin/survey_import.html",
        title=gettext("Import a survey"),
        form=form,
        errors=errors,
        field_errors=field_errors,
    )


def survey_page(survey, status: int = 200, *, policy_form=None, settings_form=None, errors=None, stored_images=None):
    """The survey's page; a refused form is shown again with what was typed and its errors."""
    counts = version_response_counts(db.session, survey)
    invited = db.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.survey_id == survey.id))
    if policy_form is None:
        policy_form = DisclosurePolicyForm(
            formdata=None, policy=survey.disclosure_policy, min_cell=survey.disclosure_min_cell
        )
    if settings_form is None:
        settings_form = SurveySettingsForm(formdata=None)
        settings_form.fill(survey)
    return render_template(
        "admin/survey.html",
        title=survey.title,
        survey=survey,
        counts=counts,
        invited=invited,
        policy_form=policy_form,
        settings_form=settings_form,
        settings_errors=settings_form.errors_by_box() if settings_form.errors else {},
        errors=errors or [],
        **_images_context(survey, stored_images),
    ), status


def _images_context(survey, stored_images) -> dict:
    """The survey's images, which questions show each, and the names questions use that are not uploaded."""
    stored = images_of(db.session, survey)
    version = survey.current_version
    used = used_images(Questionnaire.from_dict(version.definition)) if version is not None else {}
    return {
        "images": stored,
        "images_used": used,
        "images_missing": sorted(name for name in used if name not in {image.name for image in stored}),
        "images_form": ImagesForm(formdata=None),
        "remove_image_form": ActionForm(formdata=None),
        "stored_images": stored_images or [],
    }


@bp.get("/surveys/<slug>")
@roles_required("admin")
def survey(slug):
    g.read_only = True
    return survey_page(survey_or_404(slug))


@bp.post("/surveys/<slug>/disclosure")
@roles_required("admin")
def survey_disclosure(slug):
    """Set the survey's disclosure policy: no re-import and no new version; audited."""
    survey = survey_or_404(slug)
    form = DisclosurePolicyForm()
    if not form.validate_on_submit():
        errors = [{"text": m, "href": f"#{name}"} for name, messages in form.errors.items() for m in messages]
        return survey_page(survey, 400, policy_form=form, errors=errors)
    before = f"{survey.disclosure_policy} (min {survey.disclosure_min_cell})"
    survey.disclosure_policy, survey.disclosure_min_cell = form.policy.data, form.min_cell.data
    record_audit(
        db.session,
        "survey.disclosure_policy",
        target=survey.slug,
        survey=survey,
        detail=f"{before} -> {survey.disclosure_policy} (min {survey.disclosure_min_cell})",
    )
    db.session.commit()
    flash(gettext("Disclosure policy saved: it applies to every figure of this survey from now on."), "success")
    return redirect(url_for("admin.survey", slug=survey.slug) + "#disclosure")


@bp.post("/surveys/<slug>/settings")
@roles_required("admin")
def survey_settings(slug):
    """Reminders, closing date and public link, changed at once: no new version; each change audited."""
    survey = survey_or_404(slug)
    form = SurveySettingsForm()
    if form.validate_on_submit():
        try:
            changed = change_settings(
                db.session,
                survey,
                SurveySettings(
                    reminder_max=int(form.reminder_max.data),
                    reminder_interval_days=int(form.reminder_interval_days.data),
                    closes_on=form.closes_on_date(),
                    public_link=bool(form.public_link.data),
                ),
                today=date.today(),  # as survey_state() decides whether the survey has closed
            )
        except SettingsError as exc:
            db.session.rollback()
            getattr(form, "closes_on_day" if exc.field == "closes_on" else exc.field).errors = [str(exc)]
        else:
            db.session.commit()
            flash(
                gettext("Survey settings saved.")
                if changed
                else gettext("Nothing to save: the settings were already these."),
                "success",
            )
            return redirect(url_for("admin.survey", slug=survey.slug) + "#settings")
    errors = [{"text": text, "href": f"#{box}"} for box, text in form.errors_by_box().items()]
    return survey_page(survey, 400, settings_form=form, errors=errors)


@bp.get("/surveys/<slug>/definition")
@roles_required("admin")
def survey_definition(slug):
    """A version's definition as it was imported (?version=N; the current one by default), as a download."""
    g.read_only = True
    survey = survey_or_404(slug)
    number = query_int("version")
    if number is None and survey.current_version is not None:
        number = survey.current_version.number
    version = db.first_or_404(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id, SurveyVersion.number == number)
    )
    text = version.source_text
    if text is None:  # imported before the source was kept: the stored definition is equivalent
        text = json.dumps(version.definition, indent=2, ensure_ascii=False)
    extension = "json" if text.lstrip().startswith("{") else "yaml"
    return send_file(
        io.BytesIO(text.encode("utf-8")),
        mimetype="text/plain; charset=utf-8",
        as_attachment=True,
        download_name=f"{survey.slug}-v{version.number}.{extension}",
        max_age=0,
    )


@bp.get("/surveys/<slug>/xlsform")
@roles_required("admin")
def survey_xlsform(slug):
    """A version's questionnaire as an XLSForm workbook (?version=N; the current one by default)."""
    g.read_only = True
    survey = survey_or_404(slug)
    version = survey_version(db.session, survey, query_int("version"))
    if version is None:
        abort(404)
    try:
        data = version_xlsform(version)
    except XLSFormExportError as exc:
        flash(translate(exc.args[0]), "error")
        return redirect(url_for("admin.survey", slug=survey.slug))
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"{survey.slug}-v{version.number}.xlsx",
        max_age=0,
    )
