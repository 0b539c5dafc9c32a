"""Invitation and reminder emails from each survey's templates, rendered in Jinja's sandbox.

Admins write the templates, so they run in `SandboxedEnvironment` (no attribute
access to internals, no imports). The subject becomes a header: a line break in
it is refused. Links always come from SURVEYAPP_BASE_URL (never a request's Host).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from jinja2 import TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import MessageTemplate, Survey

PLACEHOLDERS = {
    "name": "the contact's name (may be empty)",
    "attributes": "the contact's attributes, e.g. {{ attributes.practice_code }}",
    "survey_title": "the survey's title",
    "link": "the personal link to the survey",
    "closes_on": "the closing date, e.g. 31 March 2026 (empty when there is none)",
    "organisation": "who runs the survey: the survey's settings.organisation, else SURVEYAPP_ORGANISATION",
    "opt_out_link": "the page where the person can opt out",
}

DEFAULTS = {
    "invitation": {
        "subject": "Please take part: {{ survey_title }}",
        "body_text": (
            "Dear {{ name or 'colleague' }},\n\n"
            "We would like to hear your views in a short survey: {{ survey_title }}. "
            "It is run by {{ organisation }}.\n\n"
            "Your personal link (please do not forward it):\n{{ link }}\n\n"
            "{% if closes_on %}Please answer by {{ closes_on }}, when the survey closes.\n\n{% endif %}"
            "If you would rather not take part, you can opt out here:\n{{ opt_out_link }}\n\n"
            "With thanks from {{ organisation }}\n"
        ),
        "body_html": (
            "<p>Dear {{ name or 'colleague' }},</p>\n"
            "<p>We would like to hear your views in a short survey: {{ survey_title }}. "
            "It is run by {{ organisation }}.</p>\n"
            '<p><a href="{{ link }}">Take part in the survey</a> (this link is personal to you, '
            "please do not forward it).</p>\n"
            "{% if closes_on %}<p>Please answer by {{ closes_on }}, when the survey closes.</p>\n{% endif %}"
            '<p>If you would rather not take part, you can <a href="{{ opt_out_link }}">opt out</a>.</p>\n'
            "<p>With thanks from {{ organisation }}</p>\n"
        ),
    },
    "reminder": {
        "subject": "Reminder: {{ survey_title }}",
        "body_text": (
            "Dear {{ name or 'colleague' }},\n\n"
            "A little while ago {{ organisation }} asked for your views in a short survey: {{ survey_title }}. "
            "If you have not had time yet, your personal link still works:\n{{ link }}\n\n"
            "{% if closes_on %}Please answer by {{ closes_on }}, when the survey closes.\n\n{% endif %}"
            "To stop these reminders, opt out here:\n{{ opt_out_link }}\n\n"
            "With thanks from {{ organisation }}\n"
        ),
        "body_html": (
            "<p>Dear {{ name or 'colleague' }},</p>\n"
            "<p>A little while ago {{ organisation }} asked for your views in a short survey: {{ survey_title }}. "
            'If you have not had time yet, <a href="{{ link }}">your personal link still works</a>.</p>\n'
            "{% if closes_on %}<p>Please answer by {{ closes_on }}, when the survey closes.</p>\n{% endif %}"
            '<p>To stop these reminders, <a href="{{ opt_out_link }}">opt out</a>.</p>\n'
            "<p>With thanks from {{ organisation }}</p>\n"
        ),
    },
}

_text_env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
_html_env = SandboxedEnvironment(autoescape=True, keep_trailing_newline=True)


class TemplateProblem(ValueError):
    """A template cannot be used; str() says why in plain English."""


@dataclass(frozen=True)
class TemplateText:
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body_text: str
    body_html: str


def template_text(session: Session, survey: Survey, kind: str) -> tuple[TemplateText, bool]:
    """The survey's template of `kind`, or the default; the flag says whether it is the survey's own."""
    row = session.scalar(
        select(MessageTemplate).where(MessageTemplate.survey_id == survey.id, MessageTemplate.kind == kind)
    )
    if row is None:
        return TemplateText(**DEFAULTS[kind]), False
    return TemplateText(row.subject, row.body_text, row.body_html), True


def format_closing_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def organisation_of(survey: Survey) -> str:
    """Who runs the survey: its definition's settings.organisation, else the instance's SURVEYAPP_ORGANISATION."""
    version = survey.current_version
    own = ((version.definition or {}).get("settings") or {}).get("organisation") if version else None
    return own or current_app.config.get("SURVEYAPP_ORGANISATION") or "the survey team"


class MessageRenderer:
    """Compiles a survey's template once; renders it for many people."""

    def __init__(self, survey: Survey, text: TemplateText):
        self.survey = survey
        check_template(text)
        self._subject = _text_env.from_string(text.subject)
        self._text = _text_env.from_string(text.body_text)
        self._html = _html_env.from_string(text.body_html)
        self._base = {
            "survey_title": survey.title,
            "closes_on": format_closing_date(survey.closes_on),
            "organisation": organisation_of(survey),
        }

    def render(self, name: str | None, attributes: dict[str, str], link: str, opt_out_link: str) -> RenderedMessage:
        context = {
            **self._base,
            "name": name or "",
            "attributes": attributes,
            "link": link,
            "opt_out_link": opt_out_link,
        }
        try:
            subject = self._subject.render(context).strip()
            body_text = self._text.render(context)
            body_html = self._html.render(context)
        except TemplateError as exc:
            raise TemplateProblem(f"The template cannot be rendered: {exc}") from None
        if "\r" in subject or "\n" in subject:
            raise TemplateProblem("The subject would contain a line break, which is not allowed in an email header.")
        if not subject:
            raise TemplateProblem("The subject would be empty.")
        return RenderedMessage(subject, body_text, body_html)


def check_template(text: TemplateText) -> None:
    """Syntax, known placeholders only, and no line break in the subject; TemplateProblem otherwise."""
    if "\r" in text.subject or "\n" in text.subject:
        raise TemplateProblem("The subject must be one line: email headers cannot contain line breaks.")
    for label, source, env in (
        ("subject", text.subject, _text_env),
        ("plain-text body", text.body_text, _text_env),
        ("HTML body", text.body_html, _html_env),
    ):
        try:
            names = meta.find_undeclared_variables(env.parse(source))
        except TemplateError as exc:
            raise TemplateProblem(f"The {label} has a mistake: {exc}") from None
        if label == "plain-text body" and "link" not in names:
            raise TemplateProblem("The plain-text body must contain the personal link: {{ link }}")
        unknown = sorted(names - PLACEHOLDERS.keys())
        if unknown:
            raise TemplateProblem(
                f"The {label} uses unknown placeholder(s): {', '.join(unknown)}. Available: {', '.join(PLACEHOLDERS)}."
            )


def link_base() -> str:
    return current_app.config["SURVEYAPP_BASE_URL"]


def preview(survey: Survey, text: TemplateText, contact=None) -> RenderedMessage:
    """The message as `contact` (a real contact of the survey, when it has one) would receive it.

    The links are examples: a preview never shows anyone's working personal link.
    """
    base = link_base()
    renderer = MessageRenderer(survey, text)
    if contact is None:
        name, attributes = "Alex Example", {}
    else:
        name, attributes = contact.name, contact.attribute_map()
    return renderer.render(
        name, attributes, f"{base}/s/EXAMPLE-PERSONAL-LINK", f"{base}/s/EXAMPLE-PERSONAL-LINK/opt-out"
    )
