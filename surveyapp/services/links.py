"""Every respondent-facing URL, built by one function from SURVEYAPP_BASE_URL (never from a request's Host).

Mail, invitations, the CLI and the admin pages all call `respondent_url()` (or the helpers
below, which call it). tests/test_services.py checks each path against the app's URL map.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import quote

from flask import current_app

from ..invitations import tokens
from ..models import Invitation, Survey


class RespondentLink(StrEnum):
    """The kinds of respondent-facing URL, each with its path (the key goes in place of {key})."""

    PERSONAL = "/s/{key}"
    OPT_OUT = "/s/{key}/opt-out"
    UNSUBSCRIBE = "/s/{key}/unsubscribe"  # RFC 8058 one-click: mailbox providers POST to it
    PUBLIC = "/p/{key}"


def respondent_url(kind: RespondentLink, key: str) -> str:
    """THE builder: SURVEYAPP_BASE_URL + the kind's path with the (URL-quoted) key."""
    return current_app.config["SURVEYAPP_BASE_URL"].rstrip("/") + kind.format(key=quote(key, safe=""))


def invitation_token(invitation: Invitation) -> str:
    return tokens.token_for(current_app.config["SECRET_KEY"], invitation.token_nonce)


def invitation_link(invitation: Invitation) -> str:
    """The personal link of an invitation."""
    return respondent_url(RespondentLink.PERSONAL, invitation_token(invitation))


def opt_out_link(invitation: Invitation) -> str:
    """The opt-out page (GET shows a button; nothing happens until it is pressed)."""
    return respondent_url(RespondentLink.OPT_OUT, invitation_token(invitation))


def unsubscribe_link(invitation: Invitation) -> str:
    """The RFC 8058 target of an email's List-Unsubscribe header."""
    return respondent_url(RespondentLink.UNSUBSCRIBE, invitation_token(invitation))


def public_link(survey: Survey) -> str | None:
    """A survey's public link, or None when it has none."""
    if not survey.public_link_enabled or not survey.public_key:
        return None
    return respondent_url(RespondentLink.PUBLIC, survey.public_key)
