"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests: records what it accepts, fails on demand."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingHandler:
    """Accepts every message, or replies with `fail_rcpt` / `fail_data` (e.g. '451 4.3.0 Try later')."""

    def __init__(self):
        self.envelopes = []
        self.fail_rcpt: str | None = None
        self.fail_data: str | None = None
        self.fail_rcpt_for: dict[str, str] = {}
        self.fail_after: int | None = None  # accept this many messages, then reply fail_after_reply
        self.fail_after_reply = "421 4.3.2 Service shutting down"
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)  # notified on every accepted message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.fail_rcpt_for.get(address.lower()) or self.fail_rcpt
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_data:
            return self.fail_data
        if self.fail_after is not None and len(self.envelopes) >= self.fail_after:
            return self.fail_after_reply
        with self.lock:
            self.envelopes.append(envelope)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block until at least `count` messages have been accepted (True) or `timeout` seconds pass (False)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.envelopes) >= count, timeout)

    def parsed_messages(self) -> list[email.message.EmailMessage]:
        # A method, not a property: aiosmtpd runs inspect.getmembers() on the handler for every new
        # connection, which would parse every message received so far each time (quadratic at 10,000).
        with self.lock:
            return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


class RendezvousHandler(RecordingHandler):
    """Holds each connection's first message until `connections` connections are open (or `wait` seconds
    pass), so that several workers are proven to deliver side by side. Records who delivered what."""

    def __init__(self, connections: int = 2, wait: float = 4.0):
        super().__init__()
        self.connections, self.wait = connections, wait
        self.sessions: list = []
        self.by_session: dict[int, int] = {}
        self._all_connected: asyncio.Event | None = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self._all_connected is None:
            self._all_connected = asyncio.Event()
        if all(s is not session for s in self.sessions):
            self.sessions.append(session)
        if len(self.sessions) >= self.connections:
            self._all_connected.set()
        return responses

    async def handle_DATA(self, server, session, envelope):
        try:
            await asyncio.wait_for(self._all_connected.wait(), self.wait)
        except TimeoutError:
            pass  # the test's own assertions say what went wrong
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.by_session[id(session)] = self.by_session.get(id(session), 0) + 1
        return reply


class SMTPSink:
    """Start, stop and start again on the same port (to test the server being down)."""

    def __init__(self, handler: RecordingHandler | None = None, port: int | None = None):
        self.handler = handler or RecordingHandler()
        self.port = port or free_port()
        self.controller: Controller | None = None

    def start(self) -> SMTPSink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.parsed_messages()


def body_text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()
