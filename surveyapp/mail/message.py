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
"""
from __future__ import annotations

import binascii
import secrets
import time
from email.header import Header
from email.utils import formatdate

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
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode()


class OutboxMessage(Message):
    """One recipient, a text body and optionally an HTML one; serialised once."""

    _bytes: bytes | None = None

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
            f"From: {sanitize_address(self.sender)}",
            f"To: {', '.join(sanitize_address(r) for r in self.recipients)}",
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
        return b"".join([
            "\r\n".join(lines).encode("ascii"), b"\r\n\r\n",
            delimiter, _part_headers("plain"), _qp(self.body or ""), b"\r\n",
            delimiter, _part_headers("html"), _qp(html), b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ])
