"""Email address normalisation with email-validator (no DNS look-ups).

email-validator spends most of its time checking the domain (IDNA rules), and a
contact file repeats a few hundred domains across thousands of rows. So each
distinct domain is checked once by email-validator itself; later addresses on a
domain it accepted take a fast path only when their local part is a plain ASCII
dot-atom, the one form whose rules are simple (RFC 5322 atext, no leading,
trailing or doubled dots, at most 64 characters). Anything else goes through
email-validator in full. tests/test_contacts_import.py checks both paths agree.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM_ADDRESS = re.compile(rf"^({_ATEXT}(?:\.{_ATEXT})*)@([A-Za-z0-9.-]+)$")
MAX_LOCAL = 64
MAX_ADDRESS = 254


class InvalidEmail(ValueError):
    """The address cannot be used; str() says why in plain English."""


class EmailNormaliser:
    """Normalise many addresses; remembers the domains email-validator accepted."""

    def __init__(self) -> None:
        self._accepted_domains: set[str] = set()

    def normalise(self, raw: str) -> str:
        address = raw.strip()
        if not address:
            raise InvalidEmail("there is no email address")
        match = _DOT_ATOM_ADDRESS.match(address)
        if (
            match
            and match.group(2).lower() in self._accepted_domains
            and len(match.group(1)) <= MAX_LOCAL
            and len(address) <= MAX_ADDRESS
        ):
            return address.lower()
        try:
            result = validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            raise InvalidEmail(str(exc)) from None
        if match:
            self._accepted_domains.add(match.group(2).lower())
        return result.normalized.lower()


def normalise_email(raw: str) -> str:
    """One address, normalised (lower-case), or InvalidEmail."""
    return EmailNormaliser().normalise(raw)
