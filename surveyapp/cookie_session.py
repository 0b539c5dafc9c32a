"""Flask's signed-cookie session, with the cost of signing paid only when it buys something.

A permanent session (a public-link respondent's, which remembers their response for a month) is sent
again on every response so that its month runs from the last visit (`SESSION_REFRESH_EACH_REQUEST`).
Flask re-serialises and re-signs it each time (JSON, HMAC, base64: about a tenth of a journey request's
CPU, docs/PERFORMANCE.md). Here a session that the request did not change, whose cookie was signed less
than `RESIGN_AFTER` seconds ago, is not sent at all: the browser holds that very value, and its `Expires`
and the signature's own timestamp (which the server checks against the month) both lag the last visit by
at most a minute. A changed session, an older signature, or any session while old secret keys are still accepted
(`SECRET_KEY_FALLBACKS`: the value may carry an old key's signature) is signed anew as Flask does, but
without trying zlib on it first (`UncompressedSerializer`). The serializer is built once per secret key
instead of twice per request.
"""

from __future__ import annotations

import time

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

RESIGN_AFTER = 60  # seconds


class UncompressedSerializer(URLSafeTimedSerializer):
    """Flask's session serializer, writing the JSON as it is. itsdangerous tries `zlib.compress` on every
    value it signs and keeps the result if shorter: about 100,000 instructions (deflate's set-up) to save a
    few bytes of a cookie of about 200. A compressed value (from before, or from Flask's own serializer)
    still loads: `loads` reads both."""

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


class CookieSession(SecureCookieSession):
    signed_value: str | None = None  # the cookie it was read from, while it is fresh enough to send again


class CookieSessionInterface(SecureCookieSessionInterface):
    session_class = CookieSession

    def __init__(self):
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            serializer = None
            if app.secret_key:
                # as Flask builds it (its current key last, old ones first), with the class above
                serializer = UncompressedSerializer(
                    [*keys[1], app.secret_key],
                    salt=self.salt,
                    serializer=self.serializer,
                    signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
                )
            cached = self._serializer = (keys, serializer)
        return cached[1]

    def open_session(self, app: Flask, request: Request) -> CookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        if not app.config.get("SECRET_KEY_FALLBACKS") and time.time() - signed_at.timestamp() < RESIGN_AFTER:
            session.signed_value = value
        return session

    def save_session(self, app: Flask, session: CookieSession, response: Response) -> None:
        value = getattr(session, "signed_value", None)
        if value is None or session.modified or not session or not self.should_set_cookie(app, session):
            super().save_session(app, session, response)
            return
        # Unchanged and signed under a minute ago: the browser's cookie already holds this value, with an
        # Expires a month from its signing. Nothing to send (a Set-Cookie costs a header to build and parse).
        if session.accessed:
            response.vary.add("Cookie")
