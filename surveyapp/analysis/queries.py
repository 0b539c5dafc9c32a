"""Every figure of the dashboards as SQL aggregates (GROUP BY over invitation, event, response and answer rows).

Nothing here loops over responses in Python: the functions return grouped rows
(one per segment, per choice, per distinct number or per day), and the callers
only reshape those. A completed response is one with status 'completed' and
voided_at IS NULL; in-progress and voided responses never count as completed.

Questions are matched across a survey's versions by name ("compatible
questions"): the same name in versions 1 and 2 is one question in the results,
and choices are matched by their value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import Integer, and_, case, cast, distinct, false, func, literal, not_, select, union_all
from sqlalchemy.orm import Session

from ..models import (
    Answer,
    AnswerTally,
    Choice,
    Contact,
    ContactAttribute,
    DeclinedInterview,
    Invitation,
    InvitationEvent,
    InvitationTally,
    Question,
    Response,
    SurveyVersion,
    User,
)
from ..models.enums import ResponseStatus
from ..models.funnel_tallies import MODE_MEASURES, SEND_MEASURES
from ..models.responses import COLLECTION_MODES
from ..models.tallies import RESPONDENTS_MARK, RESPONSES_MARK
from ..questionnaires import types
from . import funnel_tallies, tallies


def declared(qtype: str) -> types.QuestionType | None:
    """A stored question's type declaration (None for a type no longer declared: shown as text)."""
    try:
        return types.get(qtype)
    except KeyError:
        return None


def results_kind(qtype: str) -> str:
    """How a type's results are aggregated and charted (types.RESULTS_*: choice, likert, number, date, text)."""
    question_type = declared(qtype)
    return question_type.results if question_type is not None else types.RESULTS_TEXT


def is_free_text(qtype: str) -> bool:
    return results_kind(qtype) == types.RESULTS_TEXT


def _free_text_types() -> tuple[str, ...]:
    return types.names_where(lambda t: t.results == types.RESULTS_TEXT)


NO_VALUE = "(none)"  # the segment of contacts without the attribute, or responses without an invitation


@dataclass(frozen=True)
class Filters:
    """Which completed responses the results are about."""

    attribute: str | None = None
    values: tuple[str, ...] = ()
    mode: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    version: int | None = None  # a version number; None means all versions

    @property
    def active(self) -> bool:
        return bool((self.attribute and self.values) or self.mode or self.date_from or self.date_to or self.version)

    def conditions(self, survey_id: int) -> list:
        """WHERE clauses on Response for the completed responses these filters keep."""
        where = [
            Response.survey_id == survey_id,
            Response.status == ResponseStatus.COMPLETED,
            Response.voided_at.is_(None),
        ]
        if self.attribute and self.values:
            where.append(
                Response.invitation_id.in_(
                    select(Invitation.id)
                    .join(ContactAttribute, ContactAttribute.contact_id == Invitation.contact_id)
                    .where(
                        Invitation.survey_id == survey_id,
                        ContactAttribute.name == self.attribute,
                        ContactAttribute.value.in_(self.values),
                    )
                )
            )
        if self.mode in COLLECTION_MODES:
            where.append(Response.collection_mode == self.mode)
        if self.date_from:
            where.append(Response.submitted_at >= local_midnight(self.date_from))
        if self.date_to:
            where.append(Response.submitted_at < local_midnight(self.date_to + timedelta(days=1)))
        if self.version:
            where.append(
                Response.version_id.in_(
                    select(SurveyVersion.id).where(
                        SurveyVersion.survey_id == survey_id, SurveyVersion.number == self.version
                    )
                )
            )
        return where


# ---------------------------------------------------------------- response rates

FUNNEL_STEPS = ("invited", "emailed", "opened", "started", "completed")


def _funnel_columns():
    completed = Response.id  # from the outer join below: only completed, non-voided responses match
    return [
        func.count(Invitation.id).label("invited"),
        func.count(Invitation.emailed_at).label("emailed"),
        func.count(Invitation.first_opened_at).label("opened"),
        func.count(Invitation.started_at).label("started"),
        func.count(completed).label("completed"),
        func.count(Invitation.failed_at).label("failed"),
        func.count(Invitation.opted_out_at).label("opted_out"),
        func.coalesce(func.sum(case((Invitation.reminder_count > 0, 1), else_=0)), 0).label("reminded"),
    ]


def _invitations_with_completions(columns, survey_id: int):
    return (
        select(*columns)
        .select_from(Invitation)
        .outerjoin(
            Response,
            and_(
                Response.invitation_id == Invitation.id,
                Response.status == ResponseStatus.COMPLETED,
                Response.voided_at.is_(None),
            ),
        )
        .where(Invitation.survey_id == survey_id, Invitation.revoked_at.is_(None))
    )


FUNNEL_COUNTS = ("invited", "emailed", "opened", "started", "completed", "failed", "opted_out", "reminded")


def _tallied_funnel(session: Session, survey_id: int) -> dict[str, int]:
    """The survey's funnel totals, 'bounced', and 'mode:completed' (every mode's) from the invitation tallies."""
    sums = _whole_survey_tallies(session, survey_id, InvitationTally.measure.not_in(SEND_MEASURES), bucket="")
    return {measure: int(n) for measure, n in sums}


def _whole_survey_tallies(session: Session, survey_id: int, measures, *columns, **equal: str):
    """(*columns, measure, sum of n) over the survey's own tallies (no attribute) whose `equal` columns match."""
    return session.execute(
        select(*columns, InvitationTally.measure, func.sum(InvitationTally.n))
        .where(
            InvitationTally.survey_id == survey_id,
            InvitationTally.attribute == "",
            measures,
            *(getattr(InvitationTally, name) == value for name, value in equal.items()),
        )
        .group_by(*columns, InvitationTally.measure)
    )


def funnel(session: Session, survey_id: int, segments: list[dict] | None = None) -> dict[str, int]:
    """Invited (not revoked), emailed, opened, started, completed, failed, opted out, reminded, bounced.

    'completed' counts completed, non-voided responses to invitations; responses
    from public links and interviews are in `completed_all`. Given the rows of
    funnel_by_attribute (which partition the invitations), their sums are used
    instead of a second pass over the invitations.
    """
    tallied = funnel_tallies.usable(session)
    totals = _tallied_funnel(session, survey_id) if tallied else {}
    if segments is not None:
        result = {key: sum(r[key] for r in segments) for key in FUNNEL_COUNTS}
    elif tallied:
        result = {key: totals.get(key, 0) for key in FUNNEL_COUNTS}
    else:
        row = session.execute(_invitations_with_completions(_funnel_columns(), survey_id)).one()
        result = {key: int(value or 0) for key, value in row._mapping.items()}
    if tallied:
        result["bounced"] = totals.get("bounced", 0)
    else:
        result["bounced"] = (
            session.scalar(
                select(func.count(distinct(InvitationEvent.invitation_id))).where(
                    InvitationEvent.survey_id == survey_id, InvitationEvent.kind == "bounced"
                )
            )
            or 0
        )
    # Completed responses of every mode: the mode counts' sum when tallied (as respondent_count, unfiltered).
    result["completed_all"] = totals.get("mode:completed", 0) if tallied else respondent_count(session, survey_id)
    return result


def funnel_by_attribute(session: Session, survey_id: int, attribute: str) -> list[dict]:
    """The funnel per value of a contact attribute (contacts without it are the NO_VALUE segment)."""
    if funnel_tallies.usable(session):
        return _tallied_funnel_by_attribute(session, survey_id, attribute)
    segment = func.coalesce(ContactAttribute.value, literal(NO_VALUE)).label("segment")
    query = (
        _invitations_with_completions([segment, *_funnel_columns()], survey_id)
        .outerjoin(
            ContactAttribute,
            and_(ContactAttribute.contact_id == Invitation.contact_id, ContactAttribute.name == attribute),
        )
        .group_by(segment)
        .order_by(segment)
    )
    return [
        {key: (value if key == "segment" else int(value or 0)) for key, value in row._mapping.items()}
        for row in session.execute(query)
    ]


def _tallied_funnel_by_attribute(session: Session, survey_id: int, attribute: str) -> list[dict]:
    """funnel_by_attribute from the tallies: the attribute's rows, and NO_VALUE as every invitation less
    those with a value; grouped and ordered in SQL, as the scan (the database's collation orders them)."""
    mine = and_(
        InvitationTally.survey_id == survey_id, InvitationTally.bucket == "", InvitationTally.measure.in_(FUNNEL_COUNTS)
    )
    none = literal(NO_VALUE)
    parts = union_all(
        select(InvitationTally.segment.label("segment"), InvitationTally.measure, InvitationTally.n).where(
            mine, InvitationTally.attribute == attribute
        ),
        select(none, InvitationTally.measure, InvitationTally.n).where(
            mine, InvitationTally.attribute == "", InvitationTally.segment == ""
        ),
        select(none, InvitationTally.measure, -InvitationTally.n).where(mine, InvitationTally.attribute == attribute),
    ).subquery()
    columns = [
        func.coalesce(func.sum(case((parts.c.measure == key, parts.c.n), else_=0)), 0).label(key)
        for key in FUNNEL_COUNTS
    ]
    query = (
        select(parts.c.segment, *columns)
        .group_by(parts.c.segment)
        .having(func.sum(case((parts.c.measure == "invited", parts.c.n), else_=0)) > 0)
        .order_by(parts.c.segment)
    )
    return [
        {key: (value if key == "segment" else int(value or 0)) for key, value in row._mapping.items()}
        for row in session.execute(query)
    ]


def responses_by_mode(session: Session, survey_id: int) -> list[dict]:
    """Completed, in-progress and voided responses per collection mode (link, public, interview)."""
    if funnel_tallies.usable(session):
        counts: dict[str, dict[str, int]] = {}
        modes = InvitationTally.measure.in_(MODE_MEASURES)
        for mode, measure, n in _whole_survey_tallies(session, survey_id, modes, InvitationTally.segment, bucket=""):
            counts.setdefault(mode, {"completed": 0, "in_progress": 0, "voided": 0})[measure[5:]] = int(n)
        return [{"segment": mode, **c} for mode, c in sorted(counts.items()) if sum(c.values()) > 0]
    live = Response.voided_at.is_(None)
    query = (
        select(
            Response.collection_mode.label("segment"),
            func.sum(case((and_(live, Response.status == ResponseStatus.COMPLETED), 1), else_=0)).label("completed"),
            func.sum(case((and_(live, Response.status == ResponseStatus.IN_PROGRESS), 1), else_=0)).label(
                "in_progress"
            ),
            func.sum(case((Response.voided_at.is_not(None), 1), else_=0)).label("voided"),
        )
        .where(Response.survey_id == survey_id)
        .group_by(Response.collection_mode)
        .order_by(Response.collection_mode)
    )
    return [
        {
            "segment": r.segment,
            "completed": int(r.completed or 0),
            "in_progress": int(r.in_progress or 0),
            "voided": int(r.voided or 0),
        }
        for r in session.execute(query)
    ]


def responses_by_volunteer(session: Session, survey_id: int) -> list[dict]:
    """Interviews per volunteer: completed, in progress, and declined at the consent question."""
    live = Response.voided_at.is_(None)
    done = (
        select(
            Response.volunteer_id.label("volunteer_id"),
            func.sum(case((and_(live, Response.status == ResponseStatus.COMPLETED), 1), else_=0)).label("completed"),
            func.sum(case((and_(live, Response.status == ResponseStatus.IN_PROGRESS), 1), else_=0)).label(
                "in_progress"
            ),
        )
        .where(Response.survey_id == survey_id, Response.volunteer_id.is_not(None))
        .group_by(Response.volunteer_id)
    )
    declined = dict(
        session.execute(
            select(DeclinedInterview.volunteer_id, func.count())
            .where(DeclinedInterview.survey_id == survey_id)
            .group_by(DeclinedInterview.volunteer_id)
        ).all()
    )
    rows = {
        r.volunteer_id: {"completed": int(r.completed or 0), "in_progress": int(r.in_progress or 0)}
        for r in session.execute(done)
    }
    ids = set(rows) | {k for k in declined if k is not None}
    names = dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}
    return [
        {
            "segment": names.get(vid, f"user {vid}"),
            **rows.get(vid, {"completed": 0, "in_progress": 0}),
            "declined": int(declined.get(vid, 0)),
        }
        for vid in sorted(ids, key=lambda v: names.get(v, ""))
    ]


def organisation_zone() -> ZoneInfo:
    """The time zone days are counted in: SURVEYAPP_TIMEZONE (Europe/London unless set)."""
    name = current_app.config.get("SURVEYAPP_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Europe/London")


def local_midnight(day: date) -> datetime:
    """The UTC instant a day starts in the organisation's time zone (23:00 UTC the evening before, in summer)."""
    return datetime.combine(day, time(), organisation_zone()).astimezone(UTC)


def _local_day_buckets(session: Session, at):
    """(bucket, label) for counting by the organisation's local day, in SQL.

    PostgreSQL converts with its own time-zone database. SQLite has none, so rows are grouped by
    UTC quarter-hour (every zone's offset is a multiple of 15 minutes) and the few buckets are
    moved to their local day by _to_local_days(); no response is looked at one by one.
    """
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(organisation_zone().key, at)), True
    minute = cast(func.strftime("%M", at), Integer)
    quarter = func.strftime("%Y-%m-%d %H:", at).concat(func.printf("%02d", (minute / 15) * 15))
    return quarter, False


def _to_local_day(bucket, local: bool) -> str:
    if local:
        return str(bucket)
    instant = datetime.strptime(bucket, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    return instant.astimezone(organisation_zone()).date().isoformat()


def completions_by_day(session: Session, survey_id: int) -> list[tuple[str, int]]:
    """(day 'YYYY-MM-DD' in the organisation's time zone, completed responses submitted that day), in order."""
    if tallies.usable(session):
        return [
            (day, int(n))
            for day, n in session.execute(
                select(AnswerTally.day, func.sum(AnswerTally.n))
                .where(
                    *_tally_conditions(survey_id, Filters()),
                    AnswerTally.question_id == 0,
                    AnswerTally.choice_id == RESPONSES_MARK,
                    AnswerTally.day != "",  # no submit time: on no day, as in the scan
                )
                .group_by(AnswerTally.day)
                .having(func.sum(AnswerTally.n) > 0)
                .order_by(AnswerTally.day)
            )
        ]
    bucket, local = _local_day_buckets(session, Response.submitted_at)
    bucket = bucket.label("bucket")
    query = (
        select(bucket, func.count())
        .where(*Filters().conditions(survey_id), Response.submitted_at.is_not(None))
        .group_by(bucket)
        .order_by(bucket)
    )
    days: dict[str, int] = {}
    for b, n in session.execute(query):
        day = _to_local_day(b, local)
        days[day] = days.get(day, 0) + int(n)
    return sorted(days.items())


def sends_by_day(session: Session, survey_id: int) -> list[tuple[str, str, int]]:
    """(day, 'emailed' or 'reminded', how many) from the invitation timeline."""
    if funnel_tallies.usable(session):
        days: dict[tuple[str, str], int] = {}
        sends = InvitationTally.measure.in_(SEND_MEASURES)
        for bucket, measure, n in _whole_survey_tallies(session, survey_id, sends, InvitationTally.bucket, segment=""):
            key = (_to_local_day(bucket, False), measure[5:])
            days[key] = days.get(key, 0) + int(n)
        return [(day, kind, n) for (day, kind), n in sorted(days.items()) if n]
    # Emails go out in batches: group by exact time first, in the order of ix_invitation_event_survey_kind_at.
    moments = (
        select(InvitationEvent.kind.label("kind"), InvitationEvent.at.label("at"), func.count().label("n"))
        .where(InvitationEvent.survey_id == survey_id, InvitationEvent.kind.in_(("emailed", "reminded")))
        .group_by(InvitationEvent.kind, InvitationEvent.at)
        .subquery()
    )
    bucket, local = _local_day_buckets(session, moments.c.at)
    bucket = bucket.label("bucket")
    query = (
        select(bucket, moments.c.kind, func.sum(moments.c.n))
        .group_by(bucket, moments.c.kind)
        .order_by(bucket, moments.c.kind)
    )
    days: dict[tuple[str, str], int] = {}
    for b, kind, n in session.execute(query):
        key = (_to_local_day(b, local), kind)
        days[key] = days.get(key, 0) + int(n)
    return [(day, kind, n) for (day, kind), n in sorted(days.items())]


def _invited_with(survey_id: int, name, value=None):
    """An invited contact has this attribute: stops at the first one found, no scan of every invitation.

    A scalar subquery with LIMIT 1 rather than EXISTS: PostgreSQL turns a correlated EXISTS into a hash
    semi-join over all the survey's invitations (3.7 s at 1.5 million), a scalar subquery it probes per value.
    """
    holder = (
        select(literal(1))
        .select_from(ContactAttribute)
        .join(Invitation, Invitation.contact_id == ContactAttribute.contact_id)
        .where(Invitation.survey_id == survey_id, ContactAttribute.name == name)
    )
    if value is not None:
        holder = holder.where(ContactAttribute.value == value)
    return holder.limit(1).scalar_subquery().is_not(None)


def _distinct_by_index(column, *where):
    """The distinct values of an indexed column as a recursive CTE that jumps from each value to the next
    through the index (a "loose index scan"): a few index probes per distinct value, where SELECT DISTINCT
    reads every row (1.5 million contact attributes: seconds on PostgreSQL, which has no skip scan)."""
    first = select(func.min(column).label("value")).where(*where).cte("distinct_values", recursive=True)
    following = select(select(func.min(column)).where(*where, column > first.c.value).scalar_subquery()).where(
        first.c.value.is_not(None)
    )
    values = first.union_all(following)
    return values.c.value, select(values.c.value).where(values.c.value.is_not(None))


def attribute_names(session: Session, survey_id: int) -> list[str]:
    """The contact attributes of the people invited to a survey (what results can be broken down by)."""
    name, names = _distinct_by_index(ContactAttribute.name)
    return list(session.scalars(names.where(_invited_with(survey_id, name)).order_by(name)))


def attribute_values(session: Session, survey_id: int, attribute: str) -> list[str]:
    value, values = _distinct_by_index(ContactAttribute.value, ContactAttribute.name == attribute)
    return list(session.scalars(values.where(_invited_with(survey_id, attribute, value)).order_by(value)))


def non_responders(
    session: Session, survey_id: int, attribute: str | None = None, value: str | None = None, limit: int = 1000
) -> list[dict]:
    """Invited people who have not completed (not opted out, not revoked, not erased): for admins only."""
    completed = select(Response.invitation_id).where(
        Response.survey_id == survey_id,
        Response.status == ResponseStatus.COMPLETED,
        Response.voided_at.is_(None),
        Response.invitation_id.is_not(None),
    )
    query = (
        select(
            Contact.name,
            Contact.email,
            Invitation.reminder_count,
            Invitation.last_emailed_at,
            Invitation.first_opened_at,
            Invitation.started_at,
        )
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.survey_id == survey_id,
            Invitation.revoked_at.is_(None),
            Invitation.opted_out_at.is_(None),
            Contact.opted_out_at.is_(None),
            Contact.erased_at.is_(None),
            Invitation.id.not_in(completed),
        )
        .order_by(Contact.email)
        .limit(limit)
    )
    if attribute and value is not None:
        query = query.where(
            Invitation.contact_id.in_(
                select(ContactAttribute.contact_id).where(
                    ContactAttribute.name == attribute, ContactAttribute.value == value
                )
            )
        )
    return [dict(row._mapping) for row in session.execute(query)]


# ---------------------------------------------------------------- results


@dataclass
class QuestionInfo:
    name: str
    qtype: str
    label: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label) in form order
    versions: list[int] = field(default_factory=list)


def question_catalogue(session: Session, survey_id: int, version: int | None = None) -> list[QuestionInfo]:
    """The survey's questions by name, newest wording first, with the union of their choices (small query)."""
    query = (
        select(
            SurveyVersion.number,
            Question.name,
            Question.qtype,
            Question.label,
            Question.position,
            Choice.value,
            Choice.label,
        )
        .join(Question, Question.version_id == SurveyVersion.id)
        .outerjoin(Choice, Choice.question_id == Question.id)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.number.desc(), Question.position, Choice.position)
    )
    if version:
        query = query.where(SurveyVersion.number == version)
    infos: dict[str, QuestionInfo] = {}
    order: dict[str, tuple] = {}
    for number, name, qtype, label, position, cvalue, clabel in session.execute(query):
        info = infos.get(name)
        if info is None:
            info = infos[name] = QuestionInfo(name, qtype, label)
            order[name] = (-number, position)
        if number not in info.versions:
            info.versions.append(number)
        if cvalue is not None and cvalue not in {v for v, _ in info.choices}:
            info.choices.append((cvalue, clabel))
    return sorted(infos.values(), key=lambda i: order[i.name])


def _answers_of(survey_id: int, filters: Filters):
    return (
        select()
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(*filters.conditions(survey_id))
    )


def respondent_count(session: Session, survey_id: int, filters: Filters = Filters()) -> int:
    if tallies.usable(session):
        return (
            session.scalar(
                select(func.sum(AnswerTally.n)).where(
                    *_tally_conditions(survey_id, filters),
                    AnswerTally.question_id == 0,
                    AnswerTally.choice_id == RESPONSES_MARK,
                )
            )
            or 0
        )
    return _scanned_count(session, survey_id, filters)


def _scanned_count(session: Session, survey_id: int, filters: Filters) -> int:
    return session.scalar(select(func.count()).select_from(Response).where(*filters.conditions(survey_id))) or 0


def _all_responses(session: Session, survey_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey_id)) or 0


def _tally_conditions(survey_id: int, filters: Filters) -> list:
    """The tally rows of the responses these filters keep (every filter is a dimension of the tallies)."""
    by_attribute = bool(filters.attribute and filters.values)
    where = [AnswerTally.survey_id == survey_id, AnswerTally.attribute == (filters.attribute if by_attribute else "")]
    if by_attribute:
        where.append(AnswerTally.segment.in_(filters.values))
    if filters.mode in COLLECTION_MODES:
        where.append(AnswerTally.mode == filters.mode)
    if filters.date_from:
        where.append(AnswerTally.day >= filters.date_from.isoformat())
    if filters.date_to:
        # '' is a completed response without a submit time: outside every date range, as in the scan
        where.append(AnswerTally.day.between("0", filters.date_to.isoformat()))
    if filters.version:
        where.append(
            AnswerTally.version_id.in_(
                select(SurveyVersion.id).where(
                    SurveyVersion.survey_id == survey_id, SurveyVersion.number == filters.version
                )
            )
        )
    return where


def _tallied_counts(session: Session, survey_id: int, filters: Filters, multi_ids: list[int]):
    """(counts, multi) as distributions() groups them, read from the tallies."""
    where = _tally_conditions(survey_id, filters)
    key = (
        AnswerTally.question_id,
        AnswerTally.choice_id,
        AnswerTally.has_number,
        AnswerTally.number,
        AnswerTally.date_value,
    )
    counts = {}
    for qid, choice_id, has_number, number, day, n in session.execute(
        select(*key, func.sum(AnswerTally.n)).where(*where, AnswerTally.choice_id >= 0).group_by(*key)
    ):
        counts[(qid, choice_id or None, number if has_number else None, day or None)] = int(n)
    multi = {}
    if multi_ids:
        multi = {
            qid: int(n)
            for qid, n in session.execute(
                select(AnswerTally.question_id, func.sum(AnswerTally.n))
                .where(*where, AnswerTally.choice_id == RESPONDENTS_MARK, AnswerTally.question_id.in_(multi_ids))
                .group_by(AnswerTally.question_id)
            )
        }
    return counts, multi


@dataclass
class Distributions:
    """Grouped answer rows of one filtered set of responses, per question name."""

    respondents: int
    choices: dict[str, dict[str, int]]  # name -> choice value -> count
    numbers: dict[str, list[tuple[float, int]]]  # name -> [(value, count)] sorted
    dates: dict[str, list[tuple[str, int]]]  # name -> [('YYYY-MM-DD', count)] sorted
    answered: dict[str, int]  # name -> respondents who answered it
    hours: dict[str, dict[int, int]] = field(default_factory=dict)  # time questions: name -> hour 0-23 -> count


def _survey_questions(session: Session, survey_id: int) -> dict[int, tuple[str, str]]:
    """question.id -> (name, qtype) for every version of the survey (a small query)."""
    return {
        qid: (name, qtype)
        for qid, name, qtype in session.execute(
            select(Question.id, Question.name, Question.qtype)
            .join(SurveyVersion, SurveyVersion.id == Question.version_id)
            .where(SurveyVersion.survey_id == survey_id)
        )
    }


_GROUP_KEY = (Answer.question_id, Answer.choice_id, Answer.value_number, Answer.value_date)


def _grouped_counts(session: Session, query) -> dict[tuple, int]:
    return {
        tuple(row[:4]): row[4]
        for row in session.execute(query.add_columns(*_GROUP_KEY, func.count()).group_by(*_GROUP_KEY))
    }


def _distinct_respondents(session: Session, query) -> dict[int, int]:
    return dict(
        session.execute(
            query.add_columns(Answer.question_id, func.count(distinct(Answer.response_id))).group_by(Answer.question_id)
        ).all()
    )


def distributions(
    session: Session, survey_id: int, filters: Filters = Filters(), strategy: str | None = None
) -> Distributions:
    """Counts per (question, choice / number / date) of the filtered completed responses, all in SQL.

    Grouping answer rows costs about a microsecond a row on SQLite, so when the
    filters keep most responses it is cheaper to group all the survey's answers
    (a scan of the covering index ix_answer_question_values, in group order) and
    subtract the groups of the responses left out, which are few. Both ways give
    the same numbers; tests check them against each other (strategy "subtract" or "direct").
    """
    questions = _survey_questions(session, survey_id)
    use_tallies = strategy == "tallies" or (strategy is None and tallies.usable(session))
    respondents = (respondent_count if use_tallies else _scanned_count)(session, survey_id, filters)
    question_ids = list(questions)
    storage = {qid: getattr(declared(qtype), "storage", None) for qid, (_, qtype) in questions.items()}
    multi_ids = [qid for qid, kept_as in storage.items() if kept_as is not None and kept_as.multiple]
    kept = filters.conditions(survey_id)
    if use_tallies:
        counts, multi = _tallied_counts(session, survey_id, filters, multi_ids)
    elif strategy == "subtract" or (strategy is None and respondents * 2 > _all_responses(session, survey_id)):
        everything = select().select_from(Answer).where(Answer.question_id.in_(question_ids))
        # Driven from the (few) responses left out, through ix_answer_response_question.
        left_out_ids = select(Response.id).where(
            Response.survey_id == survey_id, not_(func.coalesce(and_(*kept[1:]), false()))
        )
        left_out = select().select_from(Answer).where(Answer.response_id.in_(left_out_ids))
        counts = _grouped_counts(session, everything)
        for key, n in _grouped_counts(session, left_out).items():
            counts[key] = counts.get(key, 0) - n
        multi = {}
        if multi_ids:
            multi = _distinct_respondents(session, everything.where(Answer.question_id.in_(multi_ids)))
            # "+ 0" keeps SQLite from a skip-scan of the question index here (it stays response-driven).
            for qid, n in _distinct_respondents(
                session, left_out.where((Answer.question_id + 0).in_(multi_ids))
            ).items():
                multi[qid] = multi.get(qid, 0) - n
    else:
        chosen = select().select_from(Response).join(Answer, Answer.response_id == Response.id).where(*kept)
        counts = _grouped_counts(session, chosen)
        multi = _distinct_respondents(session, chosen.where(Answer.question_id.in_(multi_ids))) if multi_ids else {}
    choice_values = dict(
        session.execute(select(Choice.id, Choice.value).where(Choice.question_id.in_(question_ids))).all()
    )

    choices: dict[str, dict[str, int]] = {}
    numbers: dict[str, dict[float, int]] = {}
    dates: dict[str, dict[str, int]] = {}
    hours: dict[str, dict[int, int]] = {}
    answered: dict[str, int] = {}
    for (qid, choice_id, number, day), n in counts.items():
        if n <= 0 or qid not in questions:
            continue
        name = questions[qid][0]
        kept_as = storage[qid]
        if choice_id is not None:
            value = choice_values[choice_id]
            choices.setdefault(name, {})[value] = choices.get(name, {}).get(value, 0) + n
        elif number is not None and kept_as is not None and kept_as.name == "time":
            hour = min(max(int(number) // 60, 0), 23)  # value_number: minutes after midnight
            hours.setdefault(name, {})[hour] = hours.get(name, {}).get(hour, 0) + n
        elif number is not None and kept_as is not None and kept_as.is_number:
            numbers.setdefault(name, {})[float(number)] = numbers.get(name, {}).get(float(number), 0) + n
        elif day is not None and kept_as is not None and kept_as.is_date:
            key = str(day)[:10]
            dates.setdefault(name, {})[key] = dates.get(name, {}).get(key, 0) + n
        if qid not in multi_ids:  # one answer row per respondent (text included)
            answered[name] = answered.get(name, 0) + n
    for qid, n in multi.items():
        if n <= 0:
            continue
        name = questions[qid][0]
        answered[name] = answered.get(name, 0) + n
    return Distributions(
        respondents,
        choices,
        {name: sorted(values.items()) for name, values in numbers.items()},
        {name: sorted(values.items()) for name, values in dates.items()},
        answered,
        hours,
    )


def rank_means(
    session: Session, survey_id: int, filters: Filters = Filters()
) -> dict[str, dict[str, tuple[float, int]]]:
    """The mean position of each option of the rank questions (1 = first), and how many placed it, in SQL:
    {name: {choice value: (mean position, answers)}}, of the filtered completed responses."""
    rank_types = types.names_where(lambda t: t.results == types.RESULTS_RANK)
    if not rank_types:
        return {}
    query = (
        _answers_of(survey_id, filters)
        .join(Choice, Choice.id == Answer.choice_id)
        .where(Question.qtype.in_(rank_types))
        .add_columns(Question.name, Choice.value, func.avg(Answer.value_number), func.count())
        .group_by(Question.name, Choice.value)
    )
    means: dict[str, dict[str, tuple[float, int]]] = {}
    for name, value, mean, n in session.execute(query):
        means.setdefault(name, {})[value] = (float(mean), n)
    return means


def cross_tab(
    session: Session, survey_id: int, question_name: str, by: str, filters: Filters = Filters()
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Counts of each choice of a question per segment ({segment: {choice: n}}, {segment: respondents}).

    `by` is a contact attribute name or 'collection_mode'.
    """
    if by == "collection_mode":
        segment = Response.collection_mode
        base = _answers_of(survey_id, filters)
    else:
        segment = func.coalesce(ContactAttribute.value, literal(NO_VALUE))
        base = (
            _answers_of(survey_id, filters)
            .outerjoin(Invitation, Invitation.id == Response.invitation_id)
            .outerjoin(
                ContactAttribute,
                and_(ContactAttribute.contact_id == Invitation.contact_id, ContactAttribute.name == by),
            )
        )
    segment = segment.label("segment")
    cells = (
        base.join(Choice, Answer.choice_id == Choice.id)
        .add_columns(segment, Choice.value, func.count())
        .where(Question.name == question_name)
        .group_by(segment, Choice.value)
    )
    table: dict[str, dict[str, int]] = {}
    for seg, value, n in session.execute(cells):
        table.setdefault(seg, {})[value] = n
    totals = dict(
        session.execute(
            base.add_columns(segment, func.count(distinct(Answer.response_id)))
            .where(Question.name == question_name)
            .group_by(segment)
        ).all()
    )
    return table, totals


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def free_text(
    session: Session,
    survey_id: int,
    question_name: str,
    filters: Filters = Filters(),
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    """(how many match, one page of them newest first) of a text question's answers."""
    base = _answers_of(survey_id, filters).where(
        Question.name == question_name, Answer.value_text.is_not(None), Question.qtype.in_(_free_text_types())
    )
    if search:
        base = base.where(Answer.value_text.ilike(f"%{_like_escape(search)}%", escape="\\"))
    total = session.scalar(base.add_columns(func.count())) or 0
    rows = session.execute(
        base.add_columns(Answer.value_text.label("text"), Response.submitted_at.label("submitted_at"))
        .order_by(Response.submitted_at.desc(), Answer.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, [dict(r._mapping) for r in rows]


def text_questions_sample(
    session: Session, survey_id: int, names: list[str], per_question: int, filters: Filters = Filters()
) -> dict[str, list[str]]:
    """Up to `per_question` newest answers of each text question (for the printable report)."""
    return {
        name: [r["text"] for r in free_text(session, survey_id, name, filters, limit=per_question)[1]] for name in names
    }
