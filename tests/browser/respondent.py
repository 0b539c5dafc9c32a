"""What the respondent journeys share: the demo GP survey and where a GP's personal link comes from.

The link comes from a real email: the GP is a contact imported with `flask contacts
import`, invited with `flask invitations create`, the invitation queued with
`flask invitations send` and delivered by one pass of the mail worker (`flask mail
send`) to an aiosmtpd server on 127.0.0.1 (tests/smtp_sink.py; the `mailbox`
fixture). The link is read from the message that server received.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from smtp_sink import SMTPSink, body_text

from surveyapp.extensions import db

DEMO_GP_SURVEY = Path(__file__).resolve().parents[2] / "surveyapp" / "demo" / "gp_iapt.yaml"
GP_EMAIL = "dr.patel@practice.example.org"


def open_gp_survey(import_survey):
    """The demo GP questionnaire (conditions within and across pages, every common input type), open."""
    survey = import_survey("gp_iapt", text=DEMO_GP_SURVEY.read_text(encoding="utf-8"))
    slug = survey.slug
    release_database()
    return slug


@dataclass
class ReceivedInvitation:
    message: EmailMessage
    text_link: str  # the personal link in the plain-text part
    html_link: str  # the href of the link in the HTML part

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


def emailed_invitation(app, slug: str, mailbox: SMTPSink) -> ReceivedInvitation:
    """Invite one GP the way an admin does, deliver the email over SMTP and return what arrived."""
    runner = app.test_cli_runner()
    with tempfile.TemporaryDirectory() as folder:
        contacts = Path(folder) / "gps.csv"
        contacts.write_text(f"email,name,pct\n{GP_EMAIL},Dr Patel,north\n", encoding="utf-8")
        result = runner.invoke(args=["contacts", "import", str(contacts)])
        assert result.exit_code == 0, result.output
    for command, expected in (
        (["invitations", "create", slug], None),
        (["invitations", "send", slug], f"1 invitation email(s) queued for {slug}"),
        (["mail", "send"], "sent 1, retrying 0, failed 0"),
    ):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
        if expected is not None:
            assert result.output.strip() == expected, result.output
    release_database()

    messages = mailbox.messages
    assert len(messages) == 1, [m["To"] for m in messages]
    message = messages[0]
    assert message["To"] == GP_EMAIL
    # Links point at the live server (it sets SURVEYAPP_BASE_URL to its own address).
    link = re.escape(app.config["SURVEYAPP_BASE_URL"]) + r"/s/[A-Za-z0-9_-]{43}"
    text_links = re.findall(rf"({link})(?![\w/-])", body_text(message))
    html_links = re.findall(rf'href="({link})"', message.get_body(preferencelist=("html",)).get_content())
    assert len(set(text_links)) == 1, body_text(message)
    assert len(set(html_links)) == 1, html_links
    return ReceivedInvitation(message, text_links[0], html_links[0])


def personal_link(app, slug: str, mailbox: SMTPSink) -> str:
    """A GP's personal link, as they find it in the invitation email (its plain-text part).

    The one place the journeys get their link from.
    """
    return emailed_invitation(app, slug, mailbox).text_link


def release_database() -> None:
    """End the test thread's transaction so the live server's threads can write (SQLite locks the file)."""
    db.session.commit()
    db.session.close()
