"""The outbox message's own serialisation reads back the same as Flask-Mail's."""

from __future__ import annotations

import email
from email import policy

import pytest
from flask_mail import BadHeaderError, Message

from surveyapp.mail.message import OutboxMessage

CASES = [
    ("Please take part: GP survey", "Dear Dr A,\n\nhttp://surveys.test/s/abc\n", "<p>Dear Dr A</p>"),
    (
        "Prière de répondre : enquête « santé » " + "x" * 80,
        "Chère Zoë,\n.\n.leading dot\n" + "long " * 300,
        "<p>Zoë — “quotes”</p>\n" * 3,
    ),
    ("Plain only", "Tabs\tand trailing spaces   \nend", None),
]


def _read(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


@pytest.mark.parametrize("subject, text, html", CASES)
def test_outbox_message_matches_flask_mail(app, subject, text, html):
    kwargs = dict(
        subject=subject,
        recipients=["gp@example.org"],
        body=text,
        html=html,
        sender="surveys@example.org",
        extra_headers={"List-Unsubscribe": "<https://surveys.example.org/s/" + "t" * 43 + "/unsubscribe>"},
    )
    ours, theirs = OutboxMessage(**kwargs), Message(**kwargs)
    ours.msgId = theirs.msgId = "<fixed@surveys.example.org>"
    data = ours.as_bytes()
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    mine, reference = _read(data), _read(theirs.as_bytes())
    for header in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe"):
        assert mine[header] == reference[header], header
    assert mine.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    assert reference.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    if html:
        assert mine.get_body(("html",)).get_content().replace("\r\n", "\n") == html
    else:
        assert mine.get_content_type() == "text/plain"


def test_line_breaks_in_headers_are_refused(app):
    message = OutboxMessage(
        subject="ok",
        recipients=["gp@example.org"],
        body="x",
        sender="s@example.org",
        extra_headers={"X-Test": "a\r\nBcc: victim@example.org"},
    )
    with pytest.raises(BadHeaderError):
        message.as_bytes()


def test_outbox_message_with_its_own_id_has_flask_mail_attributes(app):
    kwargs = dict(
        subject="s",
        recipients=["gp@example.org"],
        body="b",
        html="<p>h</p>",
        sender="surveys@example.org",
        extra_headers={"X-A": "1"},
    )
    ours, theirs = OutboxMessage(msg_id="<fixed@surveys.example.org>", **kwargs), Message(**kwargs)
    theirs.msgId = "<fixed@surveys.example.org>"
    assert {k: v for k, v in vars(ours).items() if not k.startswith("_")} == vars(theirs)
    assert ours.envelope_sender == "surveys@example.org" and ours.envelope_recipients == ["gp@example.org"]
