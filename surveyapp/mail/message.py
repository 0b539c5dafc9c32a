"""The outbox's email message: Flask-Mail's Message with a lean, fast serialisation.

Flask-Mail builds every message through the `email` package (multipart/mixed
around multipart/alternative, a regular expression compiled per boundary, every
header re-folded), about 1.3 ms a message on the benchmark machine: more than
sending it to a local server. Outbox messages all have one shape, a plain-text
body and an optional HTML alternative, so `as_bytes()` writes that shape
directly: headers (RFC 2047 encoded words for non-ASCII, via email.header), a
multipart/alternative body, each part UTF-8 in quoted-printable (binascii, so no
line is longer than 76 characters whatever an admin types). The boundary
starts with "=_", which quoted-printable text can never contain.
Flask-Mail's Connection still validates (no line breaks in headers) and sends it.
tests/test_mail_message.py checks the result against Flask-Mail's own.

Two more per-message costs are avoided: Flask-Mail's constructor calls
`email.utils.make_msgid()`, which looks the host name up (`socket.getfqdn()`)
for every message although outbox rows carry their own Message-ID (pass
`msg_id=`); and the addresses are sanitised once per message (the sender once
per process) instead of once for the headers and again for the envelope.
"""

from __future__ import annotations

import binascii
import functools
import secrets
import time
from email.header import Header
from email.utils import formatdate

from flask import current_app
from flask_mail import BadHeaderError, Message, sanitize_address


def _header_value(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise BadHeaderError(value)
    return value if value.isascii() else Header(value, "utf-8").encode(linesep="\r\n")


def _qp(text: str) -> bytes:
    # binascii keeps "\n" as the line break; SMTP wants CRLF throughout.
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return encoded.replace(b"\n", b"\r\n")


def _part_headers(subtype: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    ).encode()


@functools.lru_cache(maxsize=64)
def sender_address(sender: str) -> str:
    """The sanitised sender (the same for every message): computed once."""
    return sanitize_address(sender)


class OutboxMessage(Message):
    """One recipient, a text body and optionally an HTML one; serialised once."""

    _bytes: bytes | None = None
    _envelope_to: list[str] | None = None

    def __init__(self, *, msg_id: str | None = None, **kwargs):
        if msg_id is None:
            super().__init__(**kwargs)
            return
        # Flask-Mail's constructor minus make_msgid() (a host-name look-up per message);
        # tests/test_mail_message.py checks the attributes match Flask-Mail's own.
        sender = kwargs.get("sender") or current_app.extensions["mail"].default_sender
        if isinstance(sender, tuple):
            sender = f"{sender[0]} <{sender[1]}>"
        self.recipients = kwargs.get("recipients") or []
        self.subject = kwargs.get("subject", "")
        self.sender = sender
        self.reply_to = kwargs.get("reply_to")
        self.cc = kwargs.get("cc") or []
        self.bcc = kwargs.get("bcc") or []
        self.body = kwargs.get("body")
        self.alts = dict(kwargs.get("alts") or {})
        self.html = kwargs.get("html")
        self.date = kwargs.get("date")
        self.msgId = msg_id
        self.charset = kwargs.get("charset")
        self.extra_headers = kwargs.get("extra_headers")
        self.mail_options = kwargs.get("mail_options") or []
        self.rcpt_options = kwargs.get("rcpt_options") or []
        self.attachments = kwargs.get("attachments") or []

    @property
    def envelope_sender(self) -> str:
        return sender_address(self.sender) if isinstance(self.sender, str) else sanitize_address(self.sender)

    @property
    def envelope_recipients(self) -> list[str]:
        """The sanitised To recipients, in order, worked out once (outbox messages have no Cc/Bcc)."""
        if self._envelope_to is None:
            self._envelope_to = [sanitize_address(r) for r in self.recipients]
        return self._envelope_to

    def as_bytes(self) -> bytes:
        if self._bytes is None:
            self._bytes = self._serialise()
        return self._bytes

    def as_string(self) -> str:
        return self.as_bytes().decode("ascii")

    def _serialise(self) -> bytes:
        if self.attachments or self.cc or self.bcc or self.alts.keys() - {"html"}:
            return super().as_bytes()  # not an outbox shape: let Flask-Mail do it all
        lines = [
            f"From: {self.envelope_sender}",
            f"To: {', '.join(self.envelope_recipients)}",  # the outbox shape: To only
            f"Subject: {_header_value(self.subject or '')}",
            f"Date: {formatdate(self.date if self.date is not None else time.time(), localtime=False)}",
            f"Message-ID: {self.msgId}",
            "MIME-Version: 1.0",
        ]
        if self.reply_to:
            lines.append(f"Reply-To: {sanitize_address(self.reply_to)}")
        for name, value in (self.extra_headers or {}).items():
            lines.append(f"{name}: {_header_value(str(value))}")
        html = self.html
        if not html:
            lines.append('Content-Type: text/plain; charset="utf-8"')
            lines.append("Content-Transfer-Encoding: quoted-printable")
            return "\r\n".join(lines).encode("ascii") + b"\r\n\r\n" + _qp(self.body or "")
        boundary = "=_" + secrets.token_hex(16)
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        delimiter = f"--{boundary}\r\n".encode()
        return b"".join(
            [
                "\r\n".join(lines).encode("ascii"),
                b"\r\n\r\n",
                delimiter,
                _part_headers("plain"),
                _qp(self.body or ""),
                b"\r\n",
                delimiter,
                _part_headers("html"),
                _qp(html),
                b"\r\n",
                f"--{boundary}--\r\n".encode(),
            ]
        )
