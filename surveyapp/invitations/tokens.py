"""Personal-link tokens.

The token in a link is HMAC-SHA256(SECRET_KEY, nonce), base64url, 43 characters
(256 bits; the nonce itself is 128 random bits from `secrets`). The database keeps
the nonce and SHA-256(token): a copy of the database alone cannot produce a
working link, while the app (which has the key) can put the same link into every
reminder. Rotating SECRET_KEY therefore invalidates all outstanding links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_nonce() -> bytes:
    return secrets.token_bytes(16)


def token_for(secret_key: str, nonce: bytes) -> str:
    digest = hmac.new(secret_key.encode(), b"invitation-link:" + nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token))
