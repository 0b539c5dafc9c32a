"""All models, importable from one place (and all known to Alembic)."""

from ._common import utcnow
from .accounts import ROLES, AuditEvent, LoginAttempt, SurveyAssignment, User, UserSession
from .contact_imports import ContactImportReport
from .contacts import Contact, ContactAttribute, ContactList, ContactListMember
from .invitations import EVENT_KINDS, Invitation, InvitationEvent
from .outbox import OUTBOX_STATES, OutboundEmail
from .questionnaire import SURVEY_STATUSES, Choice, MessageTemplate, Question, Survey, SurveyVersion
from .responses import COLLECTION_MODES, Answer, DeclinedInterview, Response
from .tokens import TOKEN_SCOPES, ApiToken

__all__ = [
    "ROLES",
    "AuditEvent",
    "LoginAttempt",
    "SurveyAssignment",
    "User",
    "UserSession",
    "Contact",
    "ContactAttribute",
    "ContactList",
    "ContactListMember",
    "EVENT_KINDS",
    "Invitation",
    "InvitationEvent",
    "OUTBOX_STATES",
    "OutboundEmail",
    "SURVEY_STATUSES",
    "Choice",
    "MessageTemplate",
    "Question",
    "Survey",
    "SurveyVersion",
    "COLLECTION_MODES",
    "Answer",
    "DeclinedInterview",
    "Response",
    "utcnow",
    "TOKEN_SCOPES",
    "ApiToken",
    "ContactImportReport",
]
