"""The statuses and kinds stored as strings, as enums shared by the models, the services and the pages.

StrEnum members are the stored strings themselves (`ResponseStatus.COMPLETED == "completed"`), so the
database keeps the same values and no data migration is needed; the CHECK constraints are written
from these enums by `check_in()`.
"""

from __future__ import annotations

from enum import StrEnum


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class CollectionMode(StrEnum):
    LINK = "link"
    PUBLIC = "public"
    INTERVIEW = "interview"


class InvitationEventKind(StrEnum):
    """One row of an invitation's timeline."""

    CREATED = "created"
    EMAILED = "emailed"
    REMINDED = "reminded"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"
    BOUNCED = "bounced"
    OPTED_OUT = "opted_out"
    REVOKED = "revoked"


class InvitationState(StrEnum):
    """The state an admin sees for an invitation: the furthest it got (computed, not stored).

    The order of the members is the order of the admin page's summary.
    """

    NOT_EMAILED = "not emailed"
    EMAILED = "emailed"
    REMINDED = "reminded"
    FAILED = "failed"
    BOUNCED = "bounced"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"
    OPTED_OUT = "opted out"
    REVOKED = "revoked"


class EmailStatus(StrEnum):
    """An outbox row's delivery status."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"


class EmailKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    OTHER = "other"


class TemplateKind(StrEnum):
    """The emails whose text an admin can change."""

    INVITATION = "invitation"
    REMINDER = "reminder"


def check_in(column: str, values: type[StrEnum]) -> str:
    """The CHECK constraint text "column IN ('a', 'b')" for an enum's values."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
