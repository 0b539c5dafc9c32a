"""Demo data: the two example questionnaires with made-up GPs, volunteers and answers.

Everything here is invented (people, practices, codes); the figures follow the
shape of the real cases in the project's context: about 200 GPs across three
primary-care trust areas with about one in ten answering, and volunteers
interviewing Personal Health Budget holders.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..journey import flow as journey
from ..models import (
    CollectionMode,
    Contact,
    ContactAttribute,
    DeclinedInterview,
    Invitation,
    InvitationEventKind,
    Response,
    ResponseStatus,
    Survey,
    SurveyAssignment,
    SurveyStatus,
    User,
)
from ..questionnaires import runtime
from ..services.invitations import invite, record_event
from ..services.links import invitation_link
from ..services.surveys import import_definition, set_status
from ..services.users import create_user
from .report_backs import load_report_backs

HERE = Path(__file__).parent
DEMO_PASSWORD = "demo-password-not-for-real-use"
DEMO_USERS = [
    ("admin@example.org", "admin"),
    ("cochair@example.org", "analyst"),
    ("volunteer@example.org", "volunteer"),
    ("volunteer2@example.org", "volunteer"),
]
AREAS = [("north", "North PCT", 74), ("south", "South PCT", 80), ("east", "East PCT", 52)]
FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Farid",
    "Grace",
    "Hassan",
    "Isla",
    "Jonah",
    "Kiran",
    "Leah",
    "Marek",
    "Nadia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Abbott",
    "Bhatti",
    "Carver",
    "Dalton",
    "Evans",
    "Fenwick",
    "Gill",
    "Hart",
    "Iqbal",
    "Jones",
    "Khan",
    "Lowe",
    "Mistry",
    "Nolan",
    "Okafor",
    "Patel",
    "Quayle",
    "Rahman",
    "Shaw",
    "Thorne",
    "Uddin",
    "Vance",
    "Walsh",
    "Young",
]
TEXTS = [
    "Quicker first appointments would help my patients most.",
    "The self-referral route works well and patients like it.",
    "Feedback letters after assessment are often late.",
    "Patients who do not speak English find it hard to get an appointment with an interpreter.",
    "More group sessions in the evenings, please.",
    "I would like a named contact for urgent questions.",
    "Not enough sessions offered before discharge.",
    "The telephone assessments suit younger patients better than older ones.",
]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _random_value(rng: random.Random, q, today: date):
    if q.type in ("single_choice", "likert", "yes_no"):
        return rng.choice(q.choices).value
    if q.type == "multiple_choice":
        return [c.value for c in rng.sample(q.choices, k=rng.randint(1, min(3, len(q.choices))))]
    if q.type == "rating":
        lo = int(q.min) if q.min is not None else 0
        hi = int(q.max) if q.max is not None else 10
        return max(lo, min(hi, round(rng.triangular(lo, hi, (lo + hi) * 0.6))))
    if q.type == "integer":
        lo = int(q.min) if q.min is not None else 0
        hi = min(int(q.max) if q.max is not None else 40, lo + 40)
        return rng.randint(lo, hi)
    if q.type == "decimal":
        return Decimal(rng.randint(0, 500)) / 10
    if q.type == "date":
        return today - timedelta(days=rng.randint(3, 90))
    if q.type in ("short_text", "long_text"):
        return rng.choice(TEXTS) if rng.random() < 0.7 else None
    return None


def _fill(session: Session, rng: random.Random, response: Response, fixed: dict, today: date) -> None:
    questionnaire = journey.questionnaire_of(response.version)
    answers: runtime.Answers = {}
    for page in questionnaire.pages:
        for q in page.questions:
            if not runtime.is_visible(q, answers, today=today) or q.type == "note":
                continue
            value = fixed.get(q.name, _random_value(rng, q, today))
            if value is not None:
                answers[q.name] = value
    journey.save_answers(session, response, questionnaire, answers, [])


def load_demo(session: Session, seed: int = 2011) -> str:
    if session.scalar(select(Survey.id).where(Survey.slug == "gp-iapt")) is not None:
        return "The demo data is loaded already."
    rng = random.Random(seed)
    users = {email: create_user(session, email, role, DEMO_PASSWORD) for email, role in DEMO_USERS}
    gp = import_definition(session, (HERE / "gp_iapt.yaml").read_text(), "gp_iapt.yaml").survey
    phb = import_definition(session, (HERE / "phb_interview.yaml").read_text(), "phb_interview.yaml").survey
    for survey in (gp, phb):
        set_status(session, survey, SurveyStatus.OPEN)
        survey.opened_at = NOW - timedelta(days=35)
    _gp_invitations(session, rng, gp)
    _interviews(session, rng, phb, users)
    gp.disclosure_policy, phb.disclosure_policy = (
        "professional",
        "people",
    )  # GPs' professional opinion; people's own data
    load_report_backs(session, gp, users["cochair@example.org"], NOW)
    untouched = session.scalars(
        select(Invitation)
        .where(Invitation.survey_id == gp.id, Invitation.first_opened_at.is_(None))
        .order_by(Invitation.id)
        .limit(2)
    ).all()
    return (
        "Demo data loaded: GP survey 'gp-iapt' (206 GPs invited in three areas) and interview survey 'phb-interview'.\n"
        + "Sign in at /login with any of these (password: "
        + DEMO_PASSWORD
        + "):\n"
        + "\n".join(f"  {email}  ({role})" for email, role in DEMO_USERS)
        + "\nAnswer the GP survey as an invited GP through a personal link:\n"
        + "\n".join(f"  {invitation_link(i)}" for i in untouched)
    )


def _gp_invitations(session: Session, rng: random.Random, survey: Survey) -> None:
    sent = NOW - timedelta(days=35)
    reminders = [sent + timedelta(days=14), sent + timedelta(days=28)]
    n = 0
    gps = []
    for code, _label, count in AREAS:
        for _ in range(count):
            n += 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            contact = Contact(email=f"{first}.{last}.{n}@gp{n:03d}.example.org".lower(), name=f"Dr {first} {last}")
            contact.attributes = [
                ContactAttribute(name="pct", value=code),
                ContactAttribute(name="practice_code", value=f"{code[0].upper()}{81000 + n // 3}"),
            ]
            session.add(contact)
            gps.append((contact, code))
    session.flush()
    # About one in ten answers, many after a reminder; a few open or start without finishing.
    completers = set(rng.sample(range(len(gps)), 20))
    starters = set(rng.sample(sorted(set(range(len(gps))) - completers), 5))
    openers = set(rng.sample(sorted(set(range(len(gps))) - completers - starters), 14))
    today = NOW.date()
    invitations = invite(session, survey, contacts=[contact for contact, _area in gps])
    for i, ((_contact, area), invitation) in enumerate(zip(gps, invitations, strict=True)):
        invitation.created_at = sent - timedelta(hours=1)
        invitation.events[0].at = invitation.created_at
        invitation.emailed_at = invitation.last_emailed_at = sent
        record_event(session, invitation, InvitationEventKind.EMAILED, at=sent)
        if i in completers:
            wave = rng.choices([0, 1, 2], weights=[9, 7, 4])[0]
            done_at = [sent, *reminders][wave] + timedelta(hours=rng.randint(1, 96))
        else:
            wave, done_at = 2, None
        for r in reminders[:wave] if done_at else reminders:
            invitation.reminder_count += 1
            invitation.last_emailed_at = r
            record_event(session, invitation, InvitationEventKind.REMINDED, at=r)
        if i in completers or i in starters or i in openers:
            opened = (done_at or rng.choice([sent, *reminders]) + timedelta(hours=rng.randint(1, 72))) - timedelta(
                minutes=9
            )
            invitation.first_opened_at = opened
            record_event(session, invitation, InvitationEventKind.OPENED, at=opened)
        if i in completers or i in starters:
            started = invitation.first_opened_at + timedelta(minutes=1)
            invitation.started_at = started
            record_event(session, invitation, InvitationEventKind.STARTED, at=started)
            response = Response(
                survey_id=survey.id,
                version_id=survey.current_version_id,
                respondent_key=f"inv:{invitation.id}",
                invitation_id=invitation.id,
                collection_mode=CollectionMode.LINK,
                status=ResponseStatus.IN_PROGRESS,
                started_at=started,
            )
            session.add(response)
            session.flush()
            _fill(session, rng, response, {"practice_area": area, "pct": area}, today)
            if done_at:
                response.status, response.submitted_at = ResponseStatus.COMPLETED, done_at
                invitation.completed_at = done_at
                record_event(session, invitation, InvitationEventKind.COMPLETED, at=done_at)
            else:
                response.current_page = journey.questionnaire_of(response.version).pages[1].name
    session.flush()


def _interviews(session: Session, rng: random.Random, survey: Survey, users: dict[str, User]) -> None:
    volunteers = [users["volunteer@example.org"], users["volunteer2@example.org"]]
    for volunteer in volunteers:
        session.add(SurveyAssignment(user_id=volunteer.id, survey_id=survey.id))
    session.flush()
    questionnaire = survey.current_version.definition
    consent_name = next((q["name"] for p in questionnaire["pages"] for q in p["questions"] if q.get("consent")), None)
    today = NOW.date()
    for k in range(14):
        volunteer = volunteers[0] if k % 3 else volunteers[1]
        at = NOW - timedelta(days=30 - 2 * k, hours=rng.randint(0, 6))
        if k in (4, 9):
            session.add(DeclinedInterview(survey_id=survey.id, volunteer_id=volunteer.id, at=at))
            continue
        response = Response(
            survey_id=survey.id,
            version_id=survey.current_version_id,
            respondent_key=f"int:demo-{k}",
            collection_mode=CollectionMode.INTERVIEW,
            volunteer_id=volunteer.id,
            participant_code=f"PHB-{100 + k}",
            status=ResponseStatus.IN_PROGRESS,
            started_at=at,
        )
        session.add(response)
        session.flush()
        _fill(session, rng, response, {consent_name: "yes"} if consent_name else {}, today)
        if k != 13:
            response.status, response.submitted_at = (
                ResponseStatus.COMPLETED,
                at + timedelta(minutes=rng.randint(20, 50)),
            )
        else:
            response.current_page = journey.questionnaire_of(response.version).pages[1].name
    session.flush()
