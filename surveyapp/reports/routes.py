"""Report back pages for co-chairs (analysts) and admins: thin views over service.py.

Every POST has a Flask-WTF form; every view finds the sheet and checks access by
the sheet's own survey. A final sheet answers 409 to any change.
"""

from __future__ import annotations

from flask import Response as HTTPResponse
from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..analysis import queries
from ..audit import record_audit
from ..auth.access import can_access_survey, require_survey_access, roles_required
from ..extensions import db
from ..models import ReportAction, ReportBack, ReportSection, ReportShare, Survey, utcnow
from ..services import report_backs as service
from . import bp
from .forms import ActionForm, ConfirmForm, NewReportForm, ReportDetailsForm, SectionForm, ShareForm
from .render import render_sheet, sheet_pdf

STAFF = ("admin", "analyst")


def _report_or_404(report_id: int) -> ReportBack:
    report = db.get_or_404(ReportBack, report_id)
    require_survey_access(report.survey)
    return report


def _draft_or_409(report: ReportBack) -> None:
    if report.is_final:
        abort(409, description=gettext("This report back is final: duplicate it to start the next one."))


def _errors(form) -> list[dict]:
    """Error-summary entries that link to the fields (prefixed forms have prefixed ids)."""
    return [
        {"text": m, "href": f"#{form[name].id if name in form else name}"}
        for name, messages in form.errors.items()
        for m in (messages if isinstance(messages, list) else [str(messages)])
    ]


@bp.context_processor
def _sheet_helpers():
    from ..narrative import render_narrative
    from ..printing import json_block

    return {"json_block": json_block, "narrative": render_narrative}


def _wants_json() -> bool:
    return request.headers.get("X-Autosave") == "1"


@bp.get("/")
@roles_required(*STAFF)
def index():
    g.read_only = True
    reports = [
        r
        for r in db.session.scalars(select(ReportBack).order_by(ReportBack.created_at.desc(), ReportBack.id.desc()))
        if can_access_survey(current_user, r.survey)
    ]
    return render_template("reports/index.html", title=gettext("Report backs"), reports=reports)


def _survey_choices() -> list[tuple[str, str]]:
    return [
        (s.slug, s.title)
        for s in db.session.scalars(select(Survey).order_by(Survey.slug))
        if can_access_survey(current_user, s)
    ]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    form = NewReportForm()
    form.survey.choices = _survey_choices()
    if form.validate_on_submit():
        survey = require_survey_access(db.session.scalar(select(Survey).where(Survey.slug == form.survey.data)))
        report = service.create_report(
            db.session,
            survey,
            title=form.title.data.strip(),
            group_name=form.group_name.data.strip(),
            meeting=(form.meeting.data or "").strip(),
            meeting_date=form.meeting_date.data,
            attendees=form.attendees.data or "",
            created_by_id=current_user.id,
        )
        record_audit(db.session, "report_back.created", target=str(report.id), survey=survey, detail=report.title)
        db.session.commit()
        return redirect(url_for("reports.edit", report_id=report.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "reports/new.html", title=gettext("New report back"), form=form, errors=_errors(form)
    ), status


def _section_form(report: ReportBack, section: ReportSection | None = None, formdata=None) -> SectionForm:
    data = {}
    if section is not None:
        params = section.figure_params or {}
        outside = section.outside or {}
        data = dict(
            heading=section.heading,
            narrative=section.narrative,
            figure_kind=section.figure_kind or "",
            question=params.get("question", ""),
            by=params.get("by", ""),
            outside_title=outside.get("title", ""),
            outside_source=outside.get("source", ""),
            outside_comparators=outside.get("comparators", ""),
            outside_table=outside.get("text", ""),
        )
    form = SectionForm(formdata=formdata, prefix=f"s{section.id}" if section else "new", **data)
    catalogue = queries.question_catalogue(db.session, report.survey_id)
    form.question.choices = [("", "Choose a question")] + [
        (q.name, q.label[:90]) for q in catalogue if not queries.is_free_text(q.qtype)
    ]
    form.by.choices = (
        [("", "Choose")]
        + [(a, a) for a in queries.attribute_names(db.session, report.survey_id)]
        + [("collection_mode", "collection mode")]
    )
    return form


def _apply_section(form: SectionForm, section: ReportSection) -> None:
    section.heading = (form.heading.data or "").strip()
    section.narrative = form.narrative.data or ""
    kind = form.figure_kind.data or None
    section.figure_kind = kind
    section.figure_params = {"question": form.question.data or "", "by": form.by.data or ""} if kind else None
    section.outside = service.parse_outside(
        form.outside_title.data or "",
        form.outside_source.data or "",
        form.outside_comparators.data or "",
        form.outside_table.data or "",
    )


def _figures(report: ReportBack) -> dict:
    cache: dict = {}
    return {s.id: service.live_figure(db.session, report, s, cache) for s in report.sections}


def _edit_page(report: ReportBack, status: int = 200, errors: list | None = None, forms: dict | None = None):
    forms = forms or {}
    section_forms = [(s, forms.get(("s", s.id)) or _section_form(report, s)) for s in report.sections]
    action_forms = [(a, forms.get(("a", a.id)) or ActionForm(prefix=f"a{a.id}", obj=a)) for a in report.actions]
    return render_template(
        "reports/edit.html",
        title=report.title,
        report=report,
        details=forms.get("details") or ReportDetailsForm(obj=report),
        section_forms=section_forms,
        new_section=forms.get("new_section") or _section_form(report),
        action_forms=action_forms,
        new_action=forms.get("new_action") or ActionForm(prefix="newa"),
        share_form=forms.get("share") or ShareForm(),
        confirm=ConfirmForm(),
        figures=_figures(report),
        errors=errors or [],
        now=utcnow(),
    ), status


@bp.get("/<id:report_id>")
@roles_required(*STAFF)
def edit(report_id):
    g.read_only = True
    return _edit_page(_report_or_404(report_id))


@bp.post("/<id:report_id>/details")
@roles_required(*STAFF)
def details(report_id):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    form = ReportDetailsForm()
    if not form.validate_on_submit():
        return _edit_page(report, 400, _errors(form), {"details": form})
    report.title, report.group_name = form.title.data.strip(), form.group_name.data.strip()
    report.meeting, report.meeting_date = (form.meeting.data or "").strip(), form.meeting_date.data
    report.attendees = form.attendees.data or ""
    db.session.commit()
    if _wants_json():
        return jsonify(saved=True)
    flash(gettext("Details saved."), "success")
    return redirect(url_for("reports.edit", report_id=report.id))


@bp.post("/<id:report_id>/sections")
@roles_required(*STAFF)
def section_add(report_id):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    form = _section_form(report, formdata=request.form)
    if not form.validate_on_submit():
        return _edit_page(report, 400, _errors(form), {"new_section": form})
    section = service.add_section(report)
    _apply_section(form, section)
    db.session.commit()
    return redirect(url_for("reports.edit", report_id=report.id) + f"#section-{section.id}")


def _section_of(report: ReportBack, section_id: int) -> ReportSection:
    section = next((s for s in report.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    return section


@bp.post("/<id:report_id>/sections/<id:section_id>")
@roles_required(*STAFF)
def section_save(report_id, section_id):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    section = _section_of(report, section_id)
    form = _section_form(report, section, formdata=request.form)
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify(saved=False, errors=_errors(form)), 400
        return _edit_page(report, 400, _errors(form), {("s", section.id): form})
    _apply_section(form, section)
    db.session.commit()
    if _wants_json():
        return jsonify(saved=True)
    flash(gettext("Section saved."), "success")
    return redirect(url_for("reports.edit", report_id=report.id) + f"#section-{section.id}")


@bp.post("/<id:report_id>/sections/<id:section_id>/<any(up,down,delete):change>")
@roles_required(*STAFF)
def section_change(report_id, section_id, change):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    section = _section_of(report, section_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if change == "delete":
        report.sections.remove(section)
    else:
        service.move_section(report, section, -1 if change == "up" else 1)
    db.session.commit()
    return redirect(url_for("reports.edit", report_id=report.id) + "#sections")


@bp.post("/<id:report_id>/actions")
@roles_required(*STAFF)
def action_add(report_id):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    form = ActionForm(prefix="newa")
    if not form.validate_on_submit():
        return _edit_page(report, 400, _errors(form), {"new_action": form})
    action = service.add_action(
        report,
        form.what.data.strip(),
        (form.of_whom.data or "").strip(),
        (form.by_when.data or "").strip(),
        form.status.data,
    )
    action.progress = form.progress.data or ""
    db.session.commit()
    return redirect(url_for("reports.edit", report_id=report.id) + "#actions")


def _action_of(report: ReportBack, action_id: int) -> ReportAction:
    action = next((a for a in report.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    return action


@bp.post("/<id:report_id>/actions/<id:action_id>")
@roles_required(*STAFF)
def action_save(report_id, action_id):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    action = _action_of(report, action_id)
    form = ActionForm(prefix=f"a{action.id}")
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify(saved=False, errors=_errors(form)), 400
        return _edit_page(report, 400, _errors(form), {("a", action.id): form})
    action.what, action.of_whom = form.what.data.strip(), (form.of_whom.data or "").strip()
    action.by_when, action.status = (form.by_when.data or "").strip(), form.status.data
    action.progress = form.progress.data or ""
    db.session.commit()
    if _wants_json():
        return jsonify(saved=True)
    return redirect(url_for("reports.edit", report_id=report.id) + "#actions")


@bp.post("/<id:report_id>/actions/<id:action_id>/delete")
@roles_required(*STAFF)
def action_delete(report_id, action_id):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action = next((a for a in report.actions if a.id == action_id), None)
    if action is not None:  # deleting twice (a second click) is not an error
        report.actions.remove(action)
        db.session.commit()
    return redirect(url_for("reports.edit", report_id=report.id) + "#actions")


@bp.post("/<id:report_id>/finalise")
@roles_required(*STAFF)
def finalise(report_id):
    report = _report_or_404(report_id)
    _draft_or_409(report)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.finalise(db.session, report)
    record_audit(db.session, "report_back.finalised", target=str(report.id), survey=report.survey, detail=report.title)
    db.session.commit()
    flash(gettext("The report back is final: its figures are kept as they are today."), "success")
    return redirect(url_for("reports.edit", report_id=report.id))


@bp.post("/<id:report_id>/duplicate")
@roles_required(*STAFF)
def duplicate(report_id):
    report = _report_or_404(report_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = service.duplicate(db.session, report, created_by_id=current_user.id)
    record_audit(
        db.session, "report_back.created", target=str(copy.id), survey=report.survey, detail=f"from {report.id}"
    )
    db.session.commit()
    flash(gettext("This is the start of the next report back: open actions are carried over."), "success")
    return redirect(url_for("reports.edit", report_id=copy.id))


@bp.get("/<id:report_id>/print")
@roles_required(*STAFF)
def print_view(report_id):
    g.read_only = True
    report = _report_or_404(report_id)
    return render_sheet(report, mode="page")


@bp.get("/<id:report_id>/pdf")
@roles_required(*STAFF)
def pdf(report_id):
    g.read_only = True
    report = _report_or_404(report_id)
    body = sheet_pdf(report)
    return HTTPResponse(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="report-back-{report.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/<id:report_id>/shares")
@roles_required(*STAFF)
def share_create(report_id):
    report = _report_or_404(report_id)
    form = ShareForm()
    if not report.is_final:
        abort(409, description=gettext("Finalise the report back before sharing it."))
    if not form.validate_on_submit():
        return _edit_page(report, 400, _errors(form), {"share": form})
    share, token = service.create_share(
        db.session, report, form.days.data, (form.label.data or "").strip(), created_by_id=current_user.id
    )
    record_audit(
        db.session,
        "report_back.shared",
        target=str(report.id),
        survey=report.survey,
        detail=f"share {share.id} for {share.label or 'unnamed'}, expires {share.expires_at:%Y-%m-%d}",
    )
    db.session.commit()
    link = current_app.config["SURVEYAPP_BASE_URL"] + url_for("shared.view", token=token)
    # Shown once, on this page: only the token's hash is kept.
    return render_template(
        "reports/share_created.html", title=gettext("Share link created"), report=report, share=share, link=link
    )


@bp.post("/<id:report_id>/shares/<id:share_id>/revoke")
@roles_required(*STAFF)
def share_revoke(report_id, share_id):
    report = _report_or_404(report_id)
    share = db.session.get(ReportShare, share_id)
    if share is None or share.report_id != report.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.revoke_share(share):
        record_audit(
            db.session,
            "report_back.share_revoked",
            target=str(report.id),
            survey=report.survey,
            detail=f"share {share.id}",
        )
        db.session.commit()
    flash(gettext("The share link no longer works."), "success")
    return redirect(url_for("reports.edit", report_id=report.id) + "#shares")


@bp.get("/logo")
def logo():
    """The organisation's logo from the instance folder (a setting), for printed sheets."""
    name = current_app.config.get("ORGANISATION_LOGO") or ""
    from pathlib import Path

    path = Path(current_app.instance_path, Path(name).name) if name else None
    if path is None or not path.is_file() or path.suffix.lower() not in (".png", ".svg", ".jpg", ".jpeg"):
        path = Path(current_app.static_folder, "favicon.svg")  # no logo set: the product's icon
    return send_file(path, max_age=3600)
