"""All models, importable from one place (and all known to Alembic)."""

from ._common import utcnow
from .accounts import ROLES, AuditEvent, LoginAttempt, SurveyAssignment, User, UserSession
from .contacts import Contact, ContactAttribute, ContactList, ContactListMember
from .invitations import EVENT_KINDS, Invitation, InvitationEvent
from .outbox import OUTBOX_STATES, OutboundEmail
from .questionnaire import SURVEY_STATUSES, Choice, MessageTemplate, Question, Survey, SurveyVersion
from .reports import ACTION_STATUSES, ReportAction, ReportBack, ReportSection, ReportShare
from .responses import COLLECTION_MODES, Answer, DeclinedInterview, Response

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
    "ACTION_STATUSES",
    "ReportAction",
    "ReportBack",
    "ReportSection",
    "ReportShare",
    "utcnow",
]
