"""Invitation and reminder emails from each survey's templates, rendered in Jinja's sandbox.

Admins write the templates, so they run in a sandbox (`LimitedSandbox`: no attribute
access to internals, no imports, no operator or filter that can build a huge value)
and every rendering has a time limit (RENDER_SECONDS) and an output limit
(MAX_RENDERED_CHARACTERS); whatever goes wrong becomes a TemplateProblem with a
message for the form. The subject becomes a header: every control and
line-separator character in it is refused. Links always come from
SURVEYAPP_BASE_URL (never a request's Host).
"""

from __future__ import annotations

import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext
from jinja2 import TemplateError, meta, pass_eval_context
from jinja2.filters import do_replace
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import gettext_in
from ..models import MessageTemplate, Survey
from ..questionnaires.definition import Questionnaire
from ..questionnaires.languages import Language
from ..questionnaires.messages import N_, Message
from ..services.links import RespondentLink, respondent_url

EXAMPLE_TOKEN = "EXAMPLE-PERSONAL-LINK"

#: What each placeholder means, as the template page lists it (Messages: shown in the page's language).
PLACEHOLDERS = {
    "name": Message("the contact's name (may be empty)"),
    "attributes": Message("the contact's attributes, e.g. %(example)s", example="{{ attributes.practice_code }}"),
    "survey_title": Message("the survey's title"),
    "link": Message("the personal link to the survey"),
    "closes_on": Message("the closing date, e.g. %(example)s (empty when there is none)", example=date(2026, 3, 31)),
    "organisation": Message(
        "who runs the survey: the survey's %(setting)s, else %(variable)s",
        setting="settings.organisation",
        variable="SURVEYAPP_ORGANISATION",
    ),
    "opt_out_link": Message("the page where the person can opt out"),
}

# The product's own templates, used when a survey has none of its own. Each part is a message of the
# interface catalogues (surveyapp/translations): default_template gives them in a contact's language.
DEFAULTS = {
    "invitation": {
        "subject": N_("Please take part: {{ survey_title }}"),
        "body_text": N_(
            "Dear {{ name or 'colleague' }},\n\n"
            "We would like to hear your views in a short survey: {{ survey_title }}. "
            "It is run by {{ organisation }}.\n\n"
            "Your personal link (please do not forward it):\n{{ link }}\n\n"
            "{% if closes_on %}Please answer by {{ closes_on }}, when the survey closes.\n\n{% endif %}"
            "If you would rather not take part, you can opt out here:\n{{ opt_out_link }}\n\n"
            "With thanks from {{ organisation }}\n"
        ),
        "body_html": N_(
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
        "subject": N_("Reminder: {{ survey_title }}"),
        "body_text": N_(
            "Dear {{ name or 'colleague' }},\n\n"
            "A little while ago {{ organisation }} asked for your views in a short survey: {{ survey_title }}. "
            "If you have not had time yet, your personal link still works:\n{{ link }}\n\n"
            "{% if closes_on %}Please answer by {{ closes_on }}, when the survey closes.\n\n{% endif %}"
            "To stop these reminders, opt out here:\n{{ opt_out_link }}\n\n"
            "With thanks from {{ organisation }}\n"
        ),
        "body_html": N_(
            "<p>Dear {{ name or 'colleague' }},</p>\n"
            "<p>A little while ago {{ organisation }} asked for your views in a short survey: {{ survey_title }}. "
            'If you have not had time yet, <a href="{{ link }}">your personal link still works</a>.</p>\n'
            "{% if closes_on %}<p>Please answer by {{ closes_on }}, when the survey closes.</p>\n{% endif %}"
            '<p>To stop these reminders, <a href="{{ opt_out_link }}">opt out</a>.</p>\n'
            "<p>With thanks from {{ organisation }}</p>\n"
        ),
    },
}


def default_template(kind: str, language: str | None = None) -> TemplateText:
    """The product's template of `kind` in the interface language for `language` (English when none)."""
    return TemplateText(**{part: gettext_in(language, text) for part, text in DEFAULTS[kind].items()})


RENDER_SECONDS = 2.0  # per message, all parts (a nested loop in Preview must not hold a worker)
MAX_RENDERED_CHARACTERS = 200_000  # per part; a real email is a few thousand
MAX_INTEGER_BITS = 4096  # no template needs numbers longer than about 1,200 digits


class TemplateProblem(ValueError):
    """A template cannot be used; str() says why, in the page's interface language (translated where it is
    raised; English without a request: the mail worker, the command line)."""


class LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, plus: `*`, `**` and `%` cannot build huge strings, lists or numbers, and the filters
    that take a width (center, indent, wordwrap, format) are not available."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options):
        super().__init__(**options)
        for name in ("center", "indent", "wordwrap", "format"):
            self.filters.pop(name, None)
        self.filters["replace"] = _bounded_replace
        self.globals.pop("lipsum", None)  # a Python loop the time limit cannot interrupt

    def call_binop(self, context, operator, left, right):
        if operator == "%" and isinstance(left, str):
            raise TemplateProblem(
                gettext("Formatting text with %(operator)s is not available in templates.", operator="%")
            )
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                    if len(sequence) * max(count, 0) > MAX_RENDERED_CHARACTERS:
                        raise TemplateProblem(gettext("The template would repeat text too many times."))
            if isinstance(left, int) and isinstance(right, int):
                _check_bits(abs(left).bit_length() + abs(right).bit_length())
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            _check_bits(max(abs(left).bit_length(), 1) * right)
        return super().call_binop(context, operator, left, right)


def _check_bits(bits: int) -> None:
    if bits > MAX_INTEGER_BITS:
        raise TemplateProblem(gettext("The template computes a number too large to show."))


@pass_eval_context
def _bounded_replace(eval_ctx, value, old, new, count=None):
    text, old, new = str(value), str(old), str(new)
    occurrences = (len(text) + 1) if old == "" else text.count(old)
    if len(text) + occurrences * max(len(new) - len(old), 0) > MAX_RENDERED_CHARACTERS:
        raise TemplateProblem(gettext("The template's %(filter)s would make the text too long.", filter="replace()"))
    return do_replace(eval_ctx, value, old, new, count)


_text_env = LimitedSandbox(autoescape=False, keep_trailing_newline=True)
_html_env = LimitedSandbox(autoescape=True, keep_trailing_newline=True)

# Header fields: C0 and C1 controls (NUL, tab, LF, VT, FF, CR, NEL...), line and paragraph separators, surrogates.
_HEADER_REFUSED_CATEGORIES = {"Cc", "Zl", "Zp", "Cs"}


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def header_problem(value: str) -> str | None:
    """Why `value` cannot be an email header field (a control or line-separator character), or None."""
    for character in value:
        if unicodedata.category(character) in _HEADER_REFUSED_CATEGORIES:
            return gettext("a line break or other control character (%(code)s)", code=f"U+{ord(character):04X}")
    return None


def render_limited(template, context: dict, deadline: float | None = None) -> str:
    """Render before `deadline` (time.monotonic(); checked on every template line), at most
    MAX_RENDERED_CHARACTERS long; TemplateProblem otherwise."""
    deadline = deadline or time.monotonic() + RENDER_SECONDS

    def on_line(frame, event, arg):
        if event == "line" and time.monotonic() > deadline:
            raise TemplateProblem(
                gettext(
                    "The template takes too long to render (more than %(seconds)s seconds).",
                    seconds=f"{RENDER_SECONDS:g}",
                )
            )
        return on_line

    def on_call(frame, event, arg):
        return on_line if frame.f_code.co_filename == "<template>" else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        parts, size = [], 0
        for part in template.generate(context):
            size += len(part)
            if size > MAX_RENDERED_CHARACTERS:
                raise TemplateProblem(
                    gettext(
                        "The template renders more than %(count)s characters.", count=f"{MAX_RENDERED_CHARACTERS:,}"
                    )
                )
            parts.append(part)
        return "".join(parts)
    except TemplateProblem:
        raise
    except Exception as exc:  # the sandbox's OverflowError (range), lipsum's ValueError, a TemplateError...
        raise TemplateProblem(gettext("The template cannot be rendered: %(reason)s", reason=_first_line(exc))) from None
    finally:
        sys.settrace(previous)


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


def template_text(session: Session, survey: Survey, kind: str, language: str = "") -> tuple[TemplateText, bool]:
    """The survey's template of `kind` in `language` ('' is the survey's default language), else its template
    in the default language, else the product's default; the flag says whether it is the survey's own in
    that language."""
    rows = {
        row.language: row
        for row in session.scalars(
            select(MessageTemplate).where(
                MessageTemplate.survey_id == survey.id,
                MessageTemplate.kind == kind,
                MessageTemplate.language.in_({"", language}),
            )
        )
    }
    row = rows.get(language) or rows.get("")
    if row is None:
        return default_template(kind), False
    return TemplateText(row.subject, row.body_text, row.body_html), language in rows


def template_languages(session: Session, survey: Survey, kind: str) -> set[str]:
    """The languages (other than the default) in which the survey has its own template of `kind`."""
    return set(
        session.scalars(
            select(MessageTemplate.language).where(
                MessageTemplate.survey_id == survey.id, MessageTemplate.kind == kind, MessageTemplate.language != ""
            )
        )
    )


def survey_questionnaire(survey: Survey) -> Questionnaire | None:
    version = survey.current_version
    return Questionnaire.from_dict(version.definition) if version is not None and version.definition else None


def email_languages(survey: Survey) -> list[Language]:
    """The survey's languages other than its default: those its emails may have a version in."""
    questionnaire = survey_questionnaire(survey)
    return questionnaire.languages()[1:] if questionnaire is not None else []


def format_closing_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def organisation_of(survey: Survey) -> str:
    """Who runs the survey: its definition's settings.organisation, else the instance's SURVEYAPP_ORGANISATION."""
    version = survey.current_version
    own = ((version.definition or {}).get("settings") or {}).get("organisation") if version else None
    return organisation_named(own)


def organisation_named(own: str | None) -> str:
    """A questionnaire's own settings.organisation, else the instance's SURVEYAPP_ORGANISATION."""
    return own or current_app.config.get("SURVEYAPP_ORGANISATION") or "the survey team"


class MessageRenderer:
    """Compiles a survey's template once; renders it for many people."""

    def __init__(self, survey: Survey, text: TemplateText, language: str | None = None):
        self.survey = survey
        check_template(text)
        try:
            self._subject = _text_env.from_string(text.subject)
            self._text = _text_env.from_string(text.body_text)
            self._html = _html_env.from_string(text.body_html)
        except TemplateError as exc:  # e.g. a filter that is not available
            raise TemplateProblem(gettext("The template has a mistake: %(reason)s", reason=_first_line(exc))) from None
        self._base = {
            "survey_title": survey.title,
            "closes_on": format_closing_date(survey.closes_on),
            "organisation": organisation_of(survey),
        }
        questionnaire = survey_questionnaire(survey) if language else None
        if questionnaire is not None and language in questionnaire.translations:
            # the survey's title and organisation as the definition gives them in that language
            translated = questionnaire.translated(language)
            self._base["survey_title"] = translated.title
            self._base["organisation"] = organisation_named(translated.setting("organisation"))

    def render(self, name: str | None, attributes: dict[str, str], link: str, opt_out_link: str) -> RenderedMessage:
        context = {
            **self._base,
            "name": name or "",
            "attributes": attributes,
            "link": link,
            "opt_out_link": opt_out_link,
        }
        deadline = time.monotonic() + RENDER_SECONDS
        subject = render_limited(self._subject, context, deadline).strip()
        body_text = render_limited(self._text, context, deadline)
        body_html = render_limited(self._html, context, deadline)
        problem = header_problem(subject)
        if problem:
            raise TemplateProblem(
                gettext(
                    "The subject would contain %(character)s, which is not allowed in an email header.",
                    character=problem,
                )
            )
        if not subject:
            raise TemplateProblem(gettext("The subject would be empty."))
        return RenderedMessage(subject, body_text, body_html)


# Each part's sentences whole, so a translator can inflect the part's name (English: "The subject has ...").
_PART_MISTAKE = {
    "subject": N_("The subject has a mistake: %(reason)s"),
    "body_text": N_("The plain-text body has a mistake: %(reason)s"),
    "body_html": N_("The HTML body has a mistake: %(reason)s"),
}
_PART_UNKNOWN = {
    "subject": N_("The subject uses unknown placeholder(s): %(unknown)s. Available: %(available)s."),
    "body_text": N_("The plain-text body uses unknown placeholder(s): %(unknown)s. Available: %(available)s."),
    "body_html": N_("The HTML body uses unknown placeholder(s): %(unknown)s. Available: %(available)s."),
}


def check_template(text: TemplateText) -> None:
    """Syntax, known placeholders only, and no control or line-break character in the subject; TemplateProblem
    otherwise."""
    problem = header_problem(text.subject)
    if problem:
        raise TemplateProblem(
            gettext("The subject must be one line of text: it contains %(character)s.", character=problem)
        )
    for part, source, env in (
        ("subject", text.subject, _text_env),
        ("body_text", text.body_text, _text_env),
        ("body_html", text.body_html, _html_env),
    ):
        try:
            names = meta.find_undeclared_variables(env.parse(source))
        except TemplateError as exc:
            raise TemplateProblem(gettext(_PART_MISTAKE[part], reason=_first_line(exc))) from None
        if part == "body_text" and "link" not in names:
            raise TemplateProblem(
                gettext("The plain-text body must contain the personal link: %(placeholder)s", placeholder="{{ link }}")
            )
        unknown = sorted(names - PLACEHOLDERS.keys())
        if unknown:
            raise TemplateProblem(
                gettext(_PART_UNKNOWN[part], unknown=", ".join(unknown), available=", ".join(PLACEHOLDERS))
            )


def preview(survey: Survey, text: TemplateText, contact=None, language: str | None = None) -> RenderedMessage:
    """The message as `contact` (a real contact of the survey, when it has one) would receive it.

    The links are examples: a preview never shows anyone's working personal link.
    """
    renderer = MessageRenderer(survey, text, language)
    if contact is None:
        name, attributes = "Alex Example", {}
    else:
        name, attributes = contact.name, contact.attribute_map()
    return renderer.render(
        name,
        attributes,
        respondent_url(RespondentLink.PERSONAL, EXAMPLE_TOKEN),
        respondent_url(RespondentLink.OPT_OUT, EXAMPLE_TOKEN),
    )
