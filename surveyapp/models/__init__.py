"""All models, importable from one place (and all known to Alembic)."""

from ._common import utcnow
from .accounts import ROLES, AuditEvent, LoginAttempt, SurveyAssignment, SurveyEditor, User, UserSession
from .contact_imports import ContactImportReport
from .contacts import Contact, ContactAttribute, ContactList, ContactListMember
from .enums import (
    CollectionMode,
    EmailKind,
    EmailStatus,
    InvitationEventKind,
    InvitationState,
    ResponseStatus,
    SurveyStatus,
    TemplateKind,
)
from .funnel_tallies import InvitationTally
from .invitations import Invitation, InvitationEvent
from .media import SurveyImage
from .outbox import OutboundEmail
from .previews import PreviewLink
from .questionnaire import Choice, MessageTemplate, Question, Survey, SurveyVersion
from .reports import ACTION_STATUSES, ReportAction, ReportBack, ReportSection, ReportShare
from .responses import COLLECTION_MODES, Answer, DeclinedInterview, Response
from .tallies import AnswerTally, TallyState
from .tokens import TOKEN_SCOPES, ApiToken

__all__ = [
    "ROLES",
    "AuditEvent",
    "LoginAttempt",
    "SurveyAssignment",
    "SurveyEditor",
    "User",
    "UserSession",
    "Contact",
    "ContactAttribute",
    "ContactList",
    "ContactListMember",
    "Invitation",
    "InvitationEvent",
    "OutboundEmail",
    "PreviewLink",
    "SurveyImage",
    "Choice",
    "MessageTemplate",
    "Question",
    "Survey",
    "SurveyVersion",
    "COLLECTION_MODES",
    "Answer",
    "DeclinedInterview",
    "Response",
    "AnswerTally",
    "InvitationTally",
    "TallyState",
    "ACTION_STATUSES",
    "ReportAction",
    "ReportBack",
    "ReportSection",
    "ReportShare",
    "utcnow",
    "CollectionMode",
    "EmailKind",
    "EmailStatus",
    "InvitationEventKind",
    "InvitationState",
    "ResponseStatus",
    "SurveyStatus",
    "TemplateKind",
    "TOKEN_SCOPES",
    "ApiToken",
    "ContactImportReport",
]
