"""Admin pages: contacts (CSV upload with its report, the list, erasure)."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..audit import record_audit
from ..auth.access import roles_required
from ..contacts.erasure import erase_contact
from ..contacts.importer import ImportFileError, import_contacts, problem_report_csv, store_problem_report
from ..extensions import db
from ..models import Contact, ContactImportReport, ContactList, ContactListMember
from ..numbers import query_int
from . import bp
from .forms import ActionForm, ContactsUploadForm, form_errors

PAGE_SIZE = 100


@bp.get("/contacts")
@roles_required("admin")
def contacts():
    g.read_only = True
    search = (request.args.get("q") or "").strip()
    query = select(Contact).options(selectinload(Contact.attributes)).order_by(Contact.id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(Contact.email.like(pattern), func.lower(Contact.name).like(pattern)))
    pagination = db.paginate(
        query, page=query_int("page", 1), per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False
    )
    counts = db.session.execute(
        select(func.count(), func.count(Contact.opted_out_at), func.count(Contact.erased_at))
    ).one()
    lists = db.session.execute(
        select(ContactList.name, func.count(ContactListMember.id))
        .outerjoin(ContactListMember, ContactListMember.list_id == ContactList.id)
        .group_by(ContactList.id, ContactList.name)
        .order_by(ContactList.name)
    ).all()
    return render_template(
        "admin/contacts.html",
        title=gettext("Contacts"),
        contacts=pagination.items,
        total=pagination.total,
        page=pagination.page,
        pages=max(1, pagination.pages),
        search=search,
        counts=counts,
        lists=lists,
    )


@bp.post("/contacts/import")
@roles_required("admin")
def contacts_import():
    form = ContactsUploadForm()
    upload = form.file.data
    list_name = (form.list_name.data or "").strip() or None
    errors = []
    if not form.validate_on_submit():
        errors = form_errors(form)
    else:
        try:
            report = import_contacts(db.session, upload.read(), list_name)
        except ImportFileError as exc:
            db.session.rollback()
            errors.append({"text": str(exc), "href": "#file"})
    if errors:
        return render_template(
            "admin/contacts_upload.html", title=gettext("Upload contacts"), errors=errors, list_name=list_name
        ), 400
    record_audit(
        db.session,
        "contacts.import",
        target=upload.filename[:200],
        count=report.created + report.updated,
        detail=report.summary(),
    )
    stored = store_problem_report(db.session, report, upload.filename, current_user.id)
    db.session.commit()
    shown = list(
        db.session.scalars(
            select(Contact)
            .options(selectinload(Contact.attributes))
            .order_by(Contact.updated_at.desc(), Contact.id.desc())
            .limit(50)
        )
    )
    return render_template(
        "admin/contacts_report.html",
        title=gettext("Contacts imported"),
        report=report,
        groups=report.problem_groups(),
        stored=stored,
        filename=upload.filename,
        recent=shown,
    )


@bp.get("/contacts/imports/<id:report_id>/problems.csv")
@roles_required("admin")
def contacts_import_problems(report_id):
    """Every problem of an import, as CSV (kept REPORT_KEEP_DAYS days; cells neutralised against formulas)."""
    stored = db.session.get(ContactImportReport, report_id)
    if stored is None:
        abort(404)
    record_audit(db.session, "contacts.import_report_downloaded", target=stored.filename, count=stored.problem_count)
    db.session.commit()
    return Response(
        problem_report_csv(stored),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{stored.id}-problems.csv"'},
    )


@bp.get("/contacts/upload")
@roles_required("admin")
def contacts_upload():
    return render_template("admin/contacts_upload.html", title=gettext("Upload contacts"), list_name=None)


@bp.route("/contacts/<id:contact_id>/erase", methods=["GET", "POST"])
@roles_required("admin")
def contact_erase(contact_id):
    contact = db.get_or_404(Contact, contact_id)
    if ActionForm().validate_on_submit():
        if erase_contact(db.session, contact):
            db.session.commit()
            flash(gettext("The personal data of contact %(id)s has been erased.", id=contact_id), "success")
        return redirect(url_for("admin.contacts"))
    return render_template("admin/contact_erase.html", title=gettext("Erase a contact"), contact=contact)
