"""Email templates (issue 13, item 5): no control or line-separator character in a header; every failure of the
sandbox is a message on the form, never a 500; rendering has a time and an output-size limit."""

from __future__ import annotations

import html

import pytest
from auth_helpers import make_user, sign_in

from surveyapp.extensions import db
from surveyapp.mail import rendering
from surveyapp.mail.rendering import DEFAULTS, MessageRenderer, TemplateProblem, TemplateText, check_template
from surveyapp.models import MessageTemplate

INVITATION = DEFAULTS["invitation"]
HEADER_BREAKERS = {
    "CR": "\r",
    "LF": "\n",
    "VT": "\x0b",
    "FF": "\x0c",
    "NUL": "\x00",
    "TAB": "\t",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "NEL": "\x85",
    "LINE SEPARATOR": "\u2028",
    "PARAGRAPH SEPARATOR": "\u2029",
}


@pytest.fixture
def admin(app, client, import_survey):
    import_survey("mail_invitation")
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def edit(admin, body_text: str, subject: str = "Hello", action: str = "preview"):
    return admin.post(
        "/admin/surveys/mail-test/templates/invitation",
        data={"subject": subject, "body_text": body_text, "body_html": "<p>{{ link }}</p>", "action": action},
    )


def errors_on(page) -> str:
    """The error summary's text."""
    text = html.unescape(page.get_data(as_text=True))
    start = text.index("govuk-error-summary__list")
    return text[start : text.index("</ul>", start)]


@pytest.mark.parametrize("character", HEADER_BREAKERS.values(), ids=HEADER_BREAKERS.keys())
def test_a_subject_with_a_control_or_line_separator_is_refused(character):
    with pytest.raises(TemplateProblem, match="line break or other control character"):
        check_template(TemplateText(f"Please{character}Bcc: everyone@example.org", INVITATION["body_text"], "x"))


@pytest.mark.parametrize("character", ["\x0b", "\u2028", "\x85"], ids=["VT", "LS", "NEL"])
def test_the_admin_form_says_so_and_saves_nothing(admin, character):
    page = edit(admin, "{{ link }}", subject=f"Hi{character}there", action="save")
    assert page.status_code == 400
    assert "line break or other control character" in errors_on(page)
    assert db.session.query(MessageTemplate).count() == 0


@pytest.mark.parametrize("character", ["\x0b", "\u2028", "\x00"], ids=["VT", "LS", "NUL"])
def test_a_rendered_subject_with_a_separator_from_a_contact_s_name_is_refused(app, import_survey, character):
    survey = import_survey("mail_invitation")
    renderer = MessageRenderer(survey, TemplateText("For {{ name }}", "{{ link }}", "<p>{{ link }}</p>"))
    with pytest.raises(TemplateProblem, match="not allowed in an email header"):
        renderer.render(f"Ann{character}Bcc: x@example.org", {}, "http://l", "http://o")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ range(10**7)|list|length }} {{ link }}", "cannot be rendered"),  # the sandbox's OverflowError
        ("{{ lipsum(3000, True, 5, 10) }} {{ link }}", "unknown placeholder(s): lipsum"),  # a ValueError before
        ('{{ "a" * 10**9 }} {{ link }}', "repeat text too many times"),
        ("{{ 7 ** 99999 }} {{ link }}", "number too large"),
        ('{{ "%0999999999d" % 1 }} {{ link }}', "Formatting text with %"),
        ("{{ link|center(10**9) }}", "No filter named"),
        ('{{ link|replace("", "x" * 100000) }}', "too long"),
        ("{% for i in range(60000) %}0123456789{% endfor %}{{ link }}", "renders more than"),
        ("{{ link }} {{ name.__class__.__mro__ }}", "cannot be rendered"),
    ],
)
def test_every_sandbox_failure_is_a_message_on_the_form(admin, body, message):
    page = edit(admin, body)
    assert page.status_code == 400
    assert message in errors_on(page)


def test_a_nested_loop_in_preview_stops_at_the_time_limit(admin, monkeypatch):
    monkeypatch.setattr(rendering, "RENDER_SECONDS", 0.3)
    body = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}{{ link }}"
    page = edit(admin, body)
    assert page.status_code == 400
    assert "takes too long to render" in errors_on(page)


def test_ordinary_arithmetic_and_the_default_templates_still_render(admin):
    page = edit(admin, "{{ 3 * 4 }} {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ name|replace('Alex', 'Alexandra') }} {{ link }}")
    assert page.status_code == 200
    assert "12 1024 ababab Alexandra Example" in page.get_data(as_text=True)
    assert edit(admin, INVITATION["body_text"], INVITATION["subject"]).status_code == 200
