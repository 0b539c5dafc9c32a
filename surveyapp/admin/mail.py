"""Admin pages: a survey's invitations and their state (revoking one), its email templates, the outbox.

Nothing here talks to an SMTP server: buttons queue rows (or make them due) and
the `mail send` worker delivers them.
"""

from __future__ import annotations

import re

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import selectinload

from ..audit import record_audit
from ..auth.access import require_survey_access, roles_required
from ..contacts.selection import SelectionError, contacts_to_invite, parse_where
from ..extensions import db
from ..mail.outbox import QueueError, outbox_counts, queue_invitations, queue_reminders, reminder_candidates, retry_now
from ..mail.rendering import (
    PLACEHOLDERS,
    TemplateProblem,
    TemplateText,
    check_template,
    email_languages,
    format_closing_date,
    organisation_of,
    preview,
    template_text,
)
from ..models import (
    Contact,
    ContactList,
    EmailStatus,
    Invitation,
    InvitationState,
    MessageTemplate,
    OutboundEmail,
    Survey,
    TemplateKind,
    utcnow,
)
from ..numbers import query_int
from ..services.invitations import InvitationError, invite, revoke_invitation
from ..web import survey_or_404
from . import bp
from .contacts import PAGE_SIZE
from .forms import ActionForm, InviteForm, RevokeForm, TemplateForm, form_errors

# The state an admin sees for an invitation: the furthest it got, as one SQL expression.
INVITATION_STATE = case(
    (Invitation.revoked_at.is_not(None), InvitationState.REVOKED),
    (Invitation.completed_at.is_not(None), InvitationState.COMPLETED),
    (Invitation.opted_out_at.is_not(None), InvitationState.OPTED_OUT),
    (Invitation.started_at.is_not(None), InvitationState.STARTED),
    (Invitation.first_opened_at.is_not(None), InvitationState.OPENED),
    (Invitation.bounced_at.is_not(None), InvitationState.BOUNCED),
    (Invitation.failed_at.is_not(None), InvitationState.FAILED),
    (Invitation.reminder_count > 0, InvitationState.REMINDED),
    (Invitation.emailed_at.is_not(None), InvitationState.EMAILED),
    else_=InvitationState.NOT_EMAILED,
)


def _survey(slug: str) -> Survey:
    return require_survey_access(survey_or_404(slug))


def _flash_errors(form) -> None:
    for error in form_errors(form):
        flash(str(error["text"]), "error")


ALL_CONTACTS = "__all__"  # the explicit choice of every contact; never the default


def _selection_query(survey: Survey, list_choice: str, where_text: str):
    """The contacts the admin chose, not yet invited; SelectionError when nothing or something wrong was chosen."""
    if not list_choice:
        raise SelectionError(gettext("Choose who to invite: a contact list, or all contacts."))
    conditions = [line.strip() for line in where_text.splitlines() if line.strip()]
    list_name = None if list_choice == ALL_CONTACTS else list_choice
    return contacts_to_invite(db.session, survey.id, list_name, parse_where(conditions)), list_name, conditions


def _example_contact(survey: Survey) -> Contact | None:
    """A real contact of this survey for previews: its first invited contact whose details are not erased."""
    return db.session.scalar(
        select(Contact)
        .join(Invitation, Invitation.contact_id == Contact.id)
        .where(Invitation.survey_id == survey.id, Contact.erased_at.is_(None))
        .order_by(Invitation.id)
        .limit(1)
    )


def _preview_or_none(survey: Survey, kind: str, contact: Contact | None):
    try:
        return preview(survey, template_text(db.session, survey, kind)[0], contact)
    except TemplateProblem:
        return None


@bp.get("/surveys/<slug>/invitations")
@roles_required("admin")
def invitations(slug):
    """The round in the order of the work: choose who, check the count and the message, invite, send, remind."""
    g.read_only = True
    survey = _survey(slug)
    states = dict(
        db.session.execute(
            select(INVITATION_STATE, func.count()).where(Invitation.survey_id == survey.id).group_by(INVITATION_STATE)
        ).all()
    )
    total = sum(states.values())
    pagination = db.paginate(
        select(Invitation)
        .where(Invitation.survey_id == survey.id)
        .options(selectinload(Invitation.contact))
        .order_by(Invitation.id),
        page=query_int("page", 1),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    page_states = dict(
        db.session.execute(
            select(Invitation.id, INVITATION_STATE).where(Invitation.id.in_([i.id for i in pagination.items]))
        ).all()
    )
    now = utcnow()
    remindable = db.session.scalar(
        select(func.count()).select_from(reminder_candidates(survey, now).order_by(None).options().subquery())
    )
    first_reminded = db.session.scalars(reminder_candidates(survey, now).limit(1)).first() if remindable else None
    unsent = db.session.scalar(  # not emailed and not already queued
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.survey_id == survey.id,
            Invitation.emailed_at.is_(None),
            Invitation.revoked_at.is_(None),
            ~exists().where(OutboundEmail.invitation_id == Invitation.id, OutboundEmail.kind == "invitation"),
        )
    )
    lists = list(db.session.scalars(select(ContactList.name).order_by(ContactList.name)))
    # Step 1 is a GET form: checking who would be invited changes nothing.
    list_choice = (request.args.get("list_name") or "").strip()
    where_text = request.args.get("where") or ""
    check, errors = None, []
    if "check" in request.args:
        try:
            query, _list_name, _conditions = _selection_query(survey, list_choice, where_text)
        except SelectionError as exc:
            errors.append({"text": str(exc), "href": "#list_name" if not list_choice else "#where"})
        else:
            count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
            first = db.session.scalar(select(Contact).where(Contact.id.in_(query.limit(1))))
            check = {"count": count, "preview": _preview_or_none(survey, "invitation", first), "contact": first}
    return render_template(
        "admin/invitations.html",
        title=gettext("Invitations: %(survey)s", survey=survey.title),
        survey=survey,
        states=states,
        state_order=list(InvitationState),
        total=total,
        rows=[(invitation, page_states[invitation.id]) for invitation in pagination.items],
        page=pagination.page,
        pages=max(1, pagination.pages),
        remindable=remindable,
        unsent=unsent,
        lists=lists,
        all_contacts=ALL_CONTACTS,
        list_choice=list_choice,
        where_text=where_text,
        check=check,
        errors=errors,
        reminder_preview=_preview_or_none(survey, "reminder", first_reminded.contact) if first_reminded else None,
        reminder_contact=first_reminded.contact if first_reminded else None,
        outbox=outbox_counts(db.session, survey),
        own_templates={k: template_text(db.session, survey, k)[1] for k in TemplateKind},
        template_languages=[
            (lang, {k: template_text(db.session, survey, k, lang.code)[1] for k in TemplateKind})
            for lang in email_languages(survey)
        ],
    )


@bp.post("/surveys/<slug>/invitations/create")
@roles_required("admin")
def invitations_create(slug):
    survey = _survey(slug)
    form = InviteForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("admin.invitations", slug=slug))
    list_choice = (form.list_name.data or "").strip()
    try:
        if not list_choice:
            raise SelectionError(gettext("Choose who to invite: a contact list, or all contacts."))
        invitations = invite(
            db.session, survey, list_name=None if list_choice == ALL_CONTACTS else list_choice, where=form.conditions()
        )
    except SelectionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.invitations", slug=slug))
    db.session.commit()
    if invitations:
        flash(
            gettext("%(count)s contact(s) invited. Next: send the invitation emails.", count=len(invitations)),
            "success",
        )
    else:
        flash(gettext("Every matching contact is invited already: no one new was invited."), "info")
    return redirect(url_for("admin.invitations", slug=slug) + "#send")


@bp.post("/invitations/<id:invitation_id>/revoke")
@roles_required("admin")
def invitation_revoke(invitation_id):
    invitation = db.get_or_404(Invitation, invitation_id)
    # Authorised by the invitation's own survey, not by anything in the URL.
    survey = require_survey_access(db.session.get(Survey, invitation.survey_id))
    form = RevokeForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("admin.invitations", slug=survey.slug))
    try:
        revoke_invitation(db.session, invitation, form.reason.data)
    except InvitationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.invitations", slug=survey.slug))
    db.session.commit()
    if invitation.contact.email:
        message = gettext(
            "The invitation of %(contact)s is revoked: its link no longer works and no more emails will be sent for it.",
            contact=invitation.contact.email,
        )
    else:
        message = gettext(
            "The invitation of an erased contact is revoked: its link no longer works and no more emails will be sent "
            "for it."
        )
    flash(message, "success")
    return redirect(url_for("admin.invitations", slug=survey.slug))


@bp.post("/surveys/<slug>/invitations/<any(send,remind):action>")
@roles_required("admin")
def invitations_queue(slug, action):
    survey = _survey(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("admin.invitations", slug=slug))
    try:
        result = (queue_invitations if action == "send" else queue_reminders)(db.session, survey)
    except QueueError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.invitations", slug=slug))
    if not result.queued and not result.problems:
        # Nothing was due: say so plainly, and leave no trace of a round that did not happen.
        db.session.rollback()
        if action == "send":
            flash(gettext("No invitations are waiting to be sent: every invitation has been emailed already."), "info")
        else:
            flash(gettext("No reminders are due now, so none were sent."), "info")
        return redirect(url_for("admin.invitations", slug=slug) + ("#send" if action == "send" else "#remind"))
    db.session.commit()
    if action == "send":
        message = gettext("%(count)s invitation email(s) queued; the mail worker delivers them.", count=result.queued)
    else:
        message = gettext("%(count)s reminder(s) queued; the mail worker delivers them.", count=result.queued)
    if result.problems:
        message += " " + gettext("%(count)s could not be written from the template.", count=len(result.problems))
    flash(message, "success" if not result.problems else "error")
    return redirect(url_for("admin.invitations", slug=slug) + ("#send" if action == "send" else "#remind"))


def _template_language(survey: Survey) -> tuple[str, str | None]:
    """(?language= code, its name): '' for the default language; 404 for a language the survey does not have."""
    language = request.args.get("language", "")
    if not language:
        return "", None
    names = {lang.code: lang.name for lang in email_languages(survey)}
    if language not in names:
        abort(404)
    return language, names[language]


def _own_template(survey: Survey, kind: str, language: str):
    return db.session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.survey_id == survey.id, MessageTemplate.kind == kind, MessageTemplate.language == language
        )
    )


@bp.route("/surveys/<slug>/templates/<any(invitation,reminder):kind>", methods=["GET", "POST"])
@roles_required("admin")
def template_edit(slug, kind):
    """A survey's invitation or reminder email; `?language=cy`: its version for contacts whose language is cy."""
    survey = _survey(slug)
    language, language_name = _template_language(survey)
    here = url_for("admin.template_edit", slug=slug, kind=kind, language=language or None)
    audit_target = f"survey:{slug}:{kind}" + (f":{language}" if language else "")
    current, own = template_text(db.session, survey, kind, language)
    errors, rendered = [], None
    form = TemplateForm()
    if form.is_submitted() and not form.validate():
        errors = form_errors(form)
        current = TemplateText(form.subject.data or "", form.body_text.data or "", form.body_html.data or "")
    elif form.is_submitted():
        action = form.action.data or "preview"
        if action == "reset":
            db.session.execute(
                MessageTemplate.__table__.delete().where(
                    MessageTemplate.survey_id == survey.id,
                    MessageTemplate.kind == kind,
                    MessageTemplate.language == language,
                )
            )
            record_audit(db.session, "template.reset", target=audit_target, survey=survey)
            db.session.commit()
            if language:
                message = (
                    gettext(
                        "The %(language)s invitation template is removed: those contacts get the default one.",
                        language=language_name,
                    )
                    if kind == "invitation"
                    else gettext(
                        "The %(language)s reminder template is removed: those contacts get the default one.",
                        language=language_name,
                    )
                )
            elif kind == "invitation":
                message = gettext("The invitation template is back to the default.")
            else:
                message = gettext("The reminder template is back to the default.")
            flash(message, "success")
            return redirect(here)
        current = TemplateText(
            form.subject.data or "",
            (form.body_text.data or "").replace("\r\n", "\n"),
            (form.body_html.data or "").replace("\r\n", "\n"),
        )
        try:
            check_template(current)
            rendered = preview(survey, current, _example_contact(survey), language or None)
        except TemplateProblem as exc:
            errors.append({"text": str(exc), "href": "#subject"})
        if not errors and action == "save":
            row = _own_template(survey, kind, language)
            if row is None:
                row = MessageTemplate(survey_id=survey.id, kind=kind, language=language)
                db.session.add(row)
            row.subject, row.body_text, row.body_html = current.subject, current.body_text, current.body_html
            record_audit(db.session, "template.update", target=audit_target, survey=survey)
            db.session.commit()
            if language:
                message = (
                    gettext("The %(language)s invitation template is saved.", language=language_name)
                    if kind == "invitation"
                    else gettext("The %(language)s reminder template is saved.", language=language_name)
                )
            else:
                message = (
                    gettext("The invitation template is saved.")
                    if kind == "invitation"
                    else gettext("The reminder template is saved.")
                )
            flash(message, "success")
            return redirect(here)
    else:
        try:
            rendered = preview(survey, current, _example_contact(survey), language or None)
        except TemplateProblem as exc:
            errors.append({"text": str(exc), "href": "#subject"})
    return render_template(
        "admin/template_edit.html",
        title=(
            gettext("Invitation email: %(survey)s", survey=survey.title)
            if kind == "invitation"
            else gettext("Reminder email: %(survey)s", survey=survey.title)
        ),
        survey=survey,
        kind=kind,
        language=language,
        language_name=language_name,
        template=current,
        own=own,
        preview=rendered,
        placeholders=PLACEHOLDERS,
        errors=errors,
        example_contact=_example_contact(survey),
        organisation=organisation_of(survey),
        closes_on=format_closing_date(survey.closes_on),
    ), (400 if errors and request.method == "POST" else 200)


@bp.get("/outbox")
@roles_required("admin")
def outbox():
    g.read_only = True
    status = request.args.get("status")
    if status not in set(EmailStatus):
        status = None
    query = select(OutboundEmail).order_by(OutboundEmail.id.desc())
    if status:
        query = query.where(OutboundEmail.status == status)
    pagination = db.paginate(
        query, page=query_int("page", 1), per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False
    )
    counts = outbox_counts(db.session)
    surveys = dict(db.session.execute(select(Survey.id, Survey.slug)).all())
    return render_template(
        "admin/outbox.html",
        title=gettext("Outbox"),
        rows=pagination.items,
        counts=counts,
        states=list(EmailStatus),
        status=status,
        page=pagination.page,
        pages=max(1, pagination.pages),
        surveys=surveys,
        capturing=capturing(),
    )


@bp.post("/outbox/retry-now")
@roles_required("admin")
def outbox_retry_now():
    form = ActionForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("admin.outbox"))
    count = retry_now(db.session)
    db.session.commit()
    flash(
        gettext("%(count)s message(s) waiting to retry will be tried on the mail worker's next pass.", count=count),
        "success",
    )
    return redirect(url_for("admin.outbox"))


def capturing() -> bool:
    """Development without an SMTP server: messages are kept for this page instead of sent."""
    return not current_app.config.get("MAIL_SERVER") and current_app.config.get("SURVEYAPP_ENV") != "production"


_LINK = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str) -> Markup:
    """Escape a captured plain-text body and make its links clickable."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        out.append(escape(text[last : match.start()]))
        url = match.group(0)
        out.append(Markup('<a class="govuk-link" href="{0}">{0}</a>').format(url))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@bp.get("/outbox/captured")
@roles_required("admin")
def captured():
    if not capturing():
        abort(404)
    g.read_only = True
    rows = list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id.desc()).limit(50)))
    return render_template("admin/captured.html", title=gettext("Captured emails"), rows=rows, linkify=linkify)
