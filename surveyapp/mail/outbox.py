"""Queueing emails: an outbox row written in the same transaction as the change behind it.

Nothing here talks to an SMTP server; `mail.worker` delivers the rows later.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext
from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from ..audit import record_audit
from ..i18n import interface_language
from ..models import (
    Contact,
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEventKind,
    OutboundEmail,
    Response,
    ResponseStatus,
    Survey,
    SurveyStatus,
    utcnow,
)
from ..questionnaires.languages import contact_match
from ..questionnaires.messages import N_
from ..services.invitations import record_event
from ..services.links import invitation_link, opt_out_link, unsubscribe_link
from .rendering import (
    MessageRenderer,
    TemplateProblem,
    default_template,
    email_languages,
    template_languages,
    template_text,
)

INSERT_CHUNK = 1000


class QueueError(ValueError):
    """Emails cannot be queued (survey not open, template broken); str() says why, in the page's interface
    language (translated where it is raised; English on the command line)."""


@dataclass(frozen=True)
class QueueResult:
    queued: int
    problems: tuple[str, ...] = ()


def new_message_id() -> str:
    """A Message-ID fixed when the row is queued, so a resend after a crash has the same one."""
    host = urlsplit(current_app.config["SURVEYAPP_BASE_URL"]).hostname or "localhost"
    return f"<{secrets.token_hex(16)}@{host}>"


def _lock_survey(session: Session, survey: Survey) -> None:
    # Two admins pressing "send" at once must not queue twice: serialise per survey.
    # (SQLite transactions here start with BEGIN IMMEDIATE, which already serialises writers.)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())


_NOT_OPEN = {
    "draft": N_("The survey “%(slug)s” is draft: open it before sending emails."),
    "closed": N_("The survey “%(slug)s” is closed: open it before sending emails."),
}
_UNUSABLE = {
    ("invitation", False): N_("The invitation template of “%(slug)s” cannot be used: %(problem)s"),
    ("invitation", True): N_("The invitation template (%(language)s) of “%(slug)s” cannot be used: %(problem)s"),
    ("reminder", False): N_("The reminder template of “%(slug)s” cannot be used: %(problem)s"),
    ("reminder", True): N_("The reminder template (%(language)s) of “%(slug)s” cannot be used: %(problem)s"),
}


def _require_open(survey: Survey) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise QueueError(gettext(_NOT_OPEN.get(survey.status, _NOT_OPEN["draft"]), slug=survey.slug))


def _renderer(session: Session, survey: Survey, kind: str, language: str = "") -> MessageRenderer:
    text, _ = template_text(session, survey, kind, language)
    try:
        return MessageRenderer(survey, text, language or None)
    except TemplateProblem as exc:
        sentence = _UNUSABLE[kind, bool(language)]
        raise QueueError(gettext(sentence, language=language, slug=survey.slug, problem=str(exc))) from None


class _Renderers:
    """The survey's template of a kind in each language it has one in, compiled once per queueing.

    A contact whose `language` attribute names one of those languages gets that version; everyone
    else gets the default language's template.
    """

    def __init__(self, session: Session, survey: Survey, kind: str):
        self.session, self.survey, self.kind = session, survey, kind
        self.by_language = {"": _renderer(session, survey, kind)}
        self.languages = sorted(template_languages(session, survey, kind))
        # A survey with no template of its own at all writes the product's, in each of its languages the
        # interface is translated into (surveyapp/i18n.py).
        self.product_languages = []
        if not self.languages and not template_text(session, survey, kind)[1]:
            self.product_languages = [
                language.code for language in email_languages(survey) if interface_language(language.code) != "en"
            ]

    def for_contact(self, contact: Contact) -> MessageRenderer:
        if not self.languages and not self.product_languages:
            return self.by_language[""]
        language = contact_match(contact.attribute_map(), self.languages or self.product_languages) or ""
        if language not in self.by_language:
            if self.languages:
                self.by_language[language] = _renderer(self.session, self.survey, self.kind, language)
            else:
                self.by_language[language] = MessageRenderer(
                    self.survey, default_template(self.kind, language), language
                )
        return self.by_language[language]


def _queue(
    session: Session, survey: Survey, kind: EmailKind, invitations: list[Invitation], on_queued=None
) -> QueueResult:
    renderers = _Renderers(session, survey, kind)
    queued_at = utcnow()  # real time, even when reminders are judged at a chosen moment
    rows, problems = [], []
    for invitation in invitations:
        contact = invitation.contact
        try:
            message = renderers.for_contact(contact).render(
                contact.name, contact.attribute_map(), invitation_link(invitation), opt_out_link(invitation)
            )
        except TemplateProblem as exc:
            problems.append(f"invitation {invitation.id}: {exc}")
            continue
        rows.append(
            {
                "invitation_id": invitation.id,
                "survey_id": survey.id,
                "kind": kind,
                "to_address": contact.email,
                "subject": message.subject,
                "body_text": message.body_text,
                "body_html": message.body_html,
                "headers": {
                    "List-Unsubscribe": f"<{unsubscribe_link(invitation)}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
                "status": EmailStatus.QUEUED,
                "attempts": 0,
                "next_attempt_at": queued_at,
                "message_id": new_message_id(),
                "created_at": queued_at,
            }
        )
        if on_queued is not None:
            on_queued(invitation)
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(OutboundEmail), rows[start : start + INSERT_CHUNK])
    return QueueResult(len(rows), tuple(problems))


def _sendable(query):
    return (
        query.join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.revoked_at.is_(None),
            Invitation.bounced_at.is_(None),
            Invitation.opted_out_at.is_(None),
            Invitation.completed_at.is_(None),
            Contact.opted_out_at.is_(None),
            Contact.erased_at.is_(None),
            Contact.email.is_not(None),
        )
        .options(selectinload(Invitation.contact).selectinload(Contact.attributes))
        .order_by(Invitation.id)
    )


def queue_invitations(session: Session, survey: Survey) -> QueueResult:
    """Queue the invitation email of every invitation not emailed (nor queued) yet."""
    _require_open(survey)
    _lock_survey(session, survey)
    invitations = list(
        session.scalars(
            _sendable(
                select(Invitation).where(
                    Invitation.survey_id == survey.id,
                    Invitation.emailed_at.is_(None),
                    ~exists().where(
                        OutboundEmail.invitation_id == Invitation.id, OutboundEmail.kind == EmailKind.INVITATION
                    ),
                )
            )
        )
    )
    result = _queue(session, survey, EmailKind.INVITATION, invitations)
    record_audit(
        session,
        "invitations.send",
        target=f"survey:{survey.slug}",
        survey=survey,
        count=result.queued,
        detail=f"{len(result.problems)} could not be rendered" if result.problems else None,
    )
    return result


def reminder_candidates(survey: Survey, now: datetime):
    """THE eligibility rule, as one SQL query: not completed, not opted out (here or everywhere),
    not revoked, not bounced, not erased, fewer than reminder_max reminders, last emailed at least reminder_interval_days ago."""
    cutoff = now - timedelta(days=survey.reminder_interval_days)
    return _sendable(
        select(Invitation).where(
            Invitation.survey_id == survey.id,
            Invitation.reminder_count < survey.reminder_max,
            Invitation.last_emailed_at.is_not(None),
            Invitation.last_emailed_at <= cutoff,
            ~exists().where(
                Response.invitation_id == Invitation.id,
                Response.status == ResponseStatus.COMPLETED,
                Response.voided_at.is_(None),
            ),
        )
    )


def queue_reminders(session: Session, survey: Survey, now: datetime | None = None) -> QueueResult:
    """Queue a reminder for every eligible invitation; counts, dates and timeline change with it."""
    _require_open(survey)
    _lock_survey(session, survey)
    now = now or utcnow()
    invitations = list(session.scalars(reminder_candidates(survey, now)))

    def note(invitation: Invitation) -> None:
        invitation.reminder_count = (invitation.reminder_count or 0) + 1
        invitation.last_emailed_at = now
        record_event(
            session, invitation, InvitationEventKind.REMINDED, at=now, detail=f"reminder {invitation.reminder_count}"
        )

    result = _queue(session, survey, EmailKind.REMINDER, invitations, on_queued=note)
    record_audit(
        session,
        "invitations.remind",
        target=f"survey:{survey.slug}",
        survey=survey,
        count=result.queued,
        detail=f"{len(result.problems)} could not be rendered" if result.problems else None,
    )
    return result


def retry_now(session: Session, survey: Survey | None = None) -> int:
    """Make every message waiting out a retry delay due now (an admin's "retry now")."""
    query = update(OutboundEmail).where(OutboundEmail.status == EmailStatus.RETRYING)
    if survey is not None:
        query = query.where(OutboundEmail.survey_id == survey.id)
    count = session.execute(query.values(next_attempt_at=utcnow())).rowcount
    record_audit(session, "mail.retry_now", survey=survey, count=count)
    return count


def outbox_counts(session: Session, survey: Survey | None = None) -> dict[str, int]:
    query = select(OutboundEmail.status, func.count()).group_by(OutboundEmail.status)
    if survey is not None:
        query = query.where(OutboundEmail.survey_id == survey.id)
    return dict(session.execute(query).all())
