"""A copy of a respondent's answers, emailed at their request ("email me a copy of my answers").

Off by default (the survey setting `answers_copy`). One copy per response: a conditional UPDATE of
response.copy_sent_at decides, in the same transaction as the outbox row, so a double click or a
second tab queues nothing more. A personal link's copy goes to the invitee's own address; a public
link's only to an address the respondent typed. Copies from public links are capped per survey and
hour (SURVEYAPP_ANSWER_COPIES_PER_HOUR), since anyone holding the link could otherwise make the
server mail text of their choosing to addresses of their choosing. Once a copy has been sent (or has
failed for good) its text is removed from the outbox (purge_sent_copies), so the outbox keeps no
answers next to an address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..i18n import translate
from ..models import EmailKind, EmailStatus, OutboundEmail, Response, Survey, utcnow
from ..questionnaires.messages import Message
from .outbox import new_message_id
from .rendering import header_problem

# The outbox kind of a copy: neither an invitation nor a reminder, and no List-Unsubscribe (it was asked for).
COPY_KIND = EmailKind.OTHER


@dataclass(frozen=True)
class AnsweredSection:
    """A page of the check-your-answers summary, as text: its title and (question, answer) rows."""

    title: str
    rows: list[tuple[str, str]]


class CopyRefused(ValueError):
    """No copy can be queued; str() says why, in words for the respondent."""


def copy_reference(response: Response) -> str:
    """A short reference the respondent can quote: keyed with SECRET_KEY, so it says nothing of how many
    responses there are and cannot be worked back to an invitation."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hashlib.blake2s(response.respondent_key.encode(), key=key[:32], digest_size=5).hexdigest().upper()
    return f"{digest[:5]}-{digest[5:]}"


def _bodies(survey_title: str, organisation: str, reference: str, sections: list[AnsweredSection]) -> tuple[str, str]:
    # The fixed words are in the request's interface language (the respondent's, surveyapp/i18n.py).
    intro = gettext("Here is a copy of your answers to “%(survey)s”, run by %(organisation)s.")
    not_answered = gettext("Not answered")
    text = [
        intro % {"survey": survey_title, "organisation": organisation},
        f"{gettext('Your reference:')} {reference}",
        "",
    ]
    html = [
        f"<p>{escape(intro) % {'survey': survey_title, 'organisation': organisation}}</p>",
        f"<p>{escape(gettext('Your reference:'))} <strong>{escape(reference)}</strong></p>",
    ]
    for section in sections:
        text.append(section.title)
        text.append("-" * min(len(section.title), 70))
        html.append(f"<h2>{escape(section.title)}</h2>\n<dl>")
        for question, answer in section.rows:
            text.append(question)
            answer = translate(answer) or not_answered
            text.append(f"  {answer}")
            html.append(f"<dt><strong>{escape(question)}</strong></dt><dd>{escape(answer)}</dd>")
        text.append("")
        html.append("</dl>")
    footer = gettext(
        "You asked for this copy on the survey's thank-you page. You will not get any other email because of it."
    )
    text.append(footer)
    html.append(f"<p>{escape(footer)}</p>")
    return "\n".join(text) + "\n", "\n".join(html) + "\n"


def queue_answers_copy(
    session: Session,
    survey: Survey,
    response: Response,
    to_address: str,
    sections: list[AnsweredSection],
    *,
    organisation: str,
    public: bool,
) -> bool:
    """Queue the copy in the caller's transaction; False if this response already had one."""
    if public:
        limit = int(current_app.config.get("SURVEYAPP_ANSWER_COPIES_PER_HOUR", 30))
        since = utcnow() - timedelta(hours=1)
        recent = session.scalar(
            select(func.count())
            .select_from(OutboundEmail)
            .where(
                OutboundEmail.survey_id == survey.id,
                OutboundEmail.kind == COPY_KIND,
                OutboundEmail.created_at >= since,
            )
        )
        if recent >= limit:
            raise CopyRefused(Message("Too many copies have been asked for in the last hour. Please try again later."))
    now = utcnow()
    won = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.copy_sent_at.is_(None))
        .values(copy_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        return False
    subject = gettext("A copy of your answers: %(survey)s", survey=survey.title)
    if header_problem(subject):
        subject = gettext("A copy of your answers")
    body_text, body_html = _bodies(survey.title, organisation, copy_reference(response), sections)
    session.add(
        OutboundEmail(
            survey_id=survey.id,
            kind=COPY_KIND,
            to_address=to_address,
            subject=subject[:300],
            body_text=body_text,
            body_html=body_html,
            headers={},
            status=EmailStatus.QUEUED,
            next_attempt_at=now,
            message_id=new_message_id(),
            created_at=now,
        )
    )
    return True


def purge_sent_copies(session: Session) -> int:
    """Remove the answers and the address from copies that are done with (sent, or failed for good)."""
    result = session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.kind == COPY_KIND,
            OutboundEmail.status.in_([EmailStatus.SENT, EmailStatus.FAILED]),
            OutboundEmail.body_text != "",
        )
        .values(body_text="", body_html=None, to_address="(removed after sending)")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
