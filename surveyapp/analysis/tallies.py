"""Answer tallies (models/tallies.py): kept exact in the writer's transaction, read by queries.py.

Every change is one `INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE SET n = n + excluded.n`
built from the stored answer rows (PostgreSQL and SQLite both have this upsert; the increment is
atomic, so concurrent submits add up). `apply(..., sign=+1)` adds the responses picked by a WHERE,
`sign=-1` takes them away; callers decide when a response starts or stops counting:

- journey.flow.mark_completed: +1 as it completes (the submit, for respondents and interviewers);
- the ORM hook below (after_flush): a Response whose status, voided_at or submitted_at changes through
  the ORM (voiding, the demo, test fixtures) is taken away as it was and added as it is;
- contacts (import, erasure): the segment rows of a contact's responses move with its attributes;
- rebuild(): everything from scratch (the migration's backfill, `flask tallies rebuild`).

Answers of a completed response are never changed by the application (the journey refuses), so
no other path needs to adjust them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Float,
    Integer,
    String,
    bindparam,
    case,
    cast,
    delete,
    distinct,
    func,
    inspect,
    literal,
    literal_column,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause, TextClause

from ..models import AnswerTally, ContactAttribute, Invitation, Response, TallyState, utcnow
from ..models._common import UTCDateTime
from ..models.enums import ResponseStatus
from ..models.responses import Answer
from ..models.tallies import RESPONDENTS_MARK, RESPONSES_MARK
from ..models.tallies import TALLY_KEY as KEY


def _zone():
    from .queries import organisation_zone

    return organisation_zone()


def local_day(at: datetime | None) -> str:
    """The organisation's local day of a stored (UTC) instant, as the tallies key it."""
    if at is None:
        return ""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_zone()).date().isoformat()


def counted():
    """WHERE clauses of the responses the tallies count (as queries.Filters().conditions, any survey)."""
    return [Response.status == ResponseStatus.COMPLETED, Response.voided_at.is_(None)]


def _offsets(lo: datetime, hi: datetime) -> list[tuple[datetime, int]]:
    """[(from instant, UTC offset in minutes)] of the organisation's zone between lo and hi."""
    zone = _zone()

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds() // 60)

    lo = lo.replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    spans = [(lo, offset(lo))]
    day = lo
    while day <= hi + timedelta(days=1):
        nxt = day + timedelta(days=1)
        if offset(nxt) != spans[-1][1]:
            at = day  # the change is within this day: find its quarter-hour (every zone's changes are on one)
            while offset(at) == spans[-1][1]:
                at += timedelta(minutes=15)
            spans.append((at, offset(at)))
        day = nxt
    return spans


def _zone_sql():
    return _const("'" + _zone().key.replace("'", "''") + "'", String)


def _day_expression(session: Session, where: list):
    """The local day of Response.submitted_at in SQL ('' when there is none, as local_day() says).
    PostgreSQL converts with its own zone database; SQLite has none, so the offsets in force between the
    first and last submit are a CASE."""
    return func.coalesce(_local_day_sql(session, where), EMPTY)


def _local_day_sql(session: Session, where: list):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(_zone_sql(), Response.submitted_at), _const("'YYYY-MM-DD'", String))
    lo, hi = session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(*where)
    ).one()
    if lo is None:
        return EMPTY
    lo, hi = (UTCDateTime().process_result_value(v, None) if isinstance(v, datetime) else v for v in (lo, hi))
    spans = _offsets(lo, hi)

    def shifted(minutes: int):
        return func.date(Response.submitted_at, f"{minutes:+d} minutes")

    if len(spans) == 1:
        return shifted(spans[0][1])
    whens = [
        (Response.submitted_at < literal(start, UTCDateTime), shifted(previous))
        for (start, _), (_, previous) in zip(spans[1:], spans[:-1], strict=True)
    ]
    return case(*whens, else_=shifted(spans[-1][1]))


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(AnswerTally)


def _const(sql: str, type_):
    """A constant written into the SQL (not a bound parameter), so GROUP BY never sees parameters."""
    return literal_column(sql, type_)


EMPTY, ZERO, ZERO_FLOAT = _const("''", String), _const("0", Integer), _const("0.0", Float)


def _arms(where: list, day, sign: int, segments_only: bool, exclude_answer_ids=None) -> list:
    """The grouped SELECTs whose rows are added: values, respondents per question, responses;
    for every response, and per contact attribute of its invitation's contact."""
    arms = []
    day_grouped = [] if isinstance(day, ColumnClause) else [day]
    sign_sql = _const(str(int(sign)), Integer)
    zone = _zone_sql()
    for by_attribute in (True,) if segments_only else (False, True):
        attribute, segment = (ContactAttribute.name, ContactAttribute.value) if by_attribute else (EMPTY, EMPTY)

        def source(with_answers: bool, *, by_attribute=by_attribute):
            query = select().select_from(Response)
            if with_answers:
                query = query.join(Answer, Answer.response_id == Response.id)
                if exclude_answer_ids:
                    query = query.where(Answer.id.not_in(exclude_answer_ids))
            if by_attribute:
                query = query.join(Invitation, Invitation.id == Response.invitation_id).join(
                    ContactAttribute, ContactAttribute.contact_id == Invitation.contact_id
                )
            return query.where(*where)

        common = [zone, Response.survey_id, attribute, segment, Response.collection_mode, day, Response.version_id]
        grouped = [Response.survey_id, Response.collection_mode, Response.version_id, *day_grouped]
        if by_attribute:
            grouped += [ContactAttribute.name, ContactAttribute.value]
        values = [
            Answer.question_id,
            func.coalesce(Answer.choice_id, ZERO),
            case((Answer.value_number.is_not(None), _const("1", Integer)), else_=ZERO),
            func.coalesce(Answer.value_number, ZERO_FLOAT),
            func.coalesce(cast(Answer.value_date, String), EMPTY),
        ]
        arms.append(source(True).add_columns(*common, *values, sign_sql * func.count()).group_by(*grouped, *values))
        marks = [_const(str(RESPONDENTS_MARK), Integer), ZERO, ZERO_FLOAT, EMPTY]
        arms.append(
            source(True)
            .add_columns(*common, Answer.question_id, *marks, sign_sql * func.count(distinct(Answer.response_id)))
            .group_by(*grouped, Answer.question_id)
        )
        if exclude_answer_ids is None:
            marks = [ZERO, _const(str(RESPONSES_MARK), Integer), ZERO, ZERO_FLOAT, EMPTY]
            arms.append(source(False).add_columns(*common, *marks, sign_sql * func.count()).group_by(*grouped))
    return arms


def _upsert(session: Session, where: list, sign: int, day: str | None, segments_only: bool, exclude_answer_ids):
    day_column = _const(f"'{date.fromisoformat(day).isoformat()}'", String) if day else _day_expression(session, where)
    source = union_all(*_arms(where, day_column, sign, segments_only, exclude_answer_ids))
    statement = _insert(session).from_select([*KEY, "n"], source)
    return statement.on_conflict_do_update(
        index_elements=list(KEY), set_={"n": AnswerTally.__table__.c.n + statement.excluded.n}
    )


def apply(
    session: Session,
    where: list,
    sign: int,
    day: str | None = None,
    segments_only: bool = False,
    exclude_answer_ids=None,
) -> None:
    """Add (sign +1) or take away (-1) the tallies of the responses picked by `where` (clauses on
    Response, which must pick only counted responses), in one statement in the caller's transaction.

    `day` is their local day when the caller knows it (the submit: no date arithmetic in SQL).
    """
    session.connection().execute(_upsert(session, where, sign, day, segments_only, exclude_answer_ids))


def complete(session: Session, response_id: int, now: datetime) -> bool:
    """Complete the response (the conditional UPDATE: only while it is in progress) and add its tallies if
    it won, in the caller's transaction, with `now` as its submit and update time.

    On PostgreSQL this is one statement (the UPDATE ... RETURNING and the upsert as data-modifying
    CTEs), so the submit costs no extra round trip; SQLite has no data-modifying CTEs: two statements.
    The statements are compiled once per process, dialect, zone and local day (_completion_statements).
    """
    statements = _completion_statements(session.get_bind().dialect, _zone().key, local_day(now))
    params = {"response_id": response_id, "now": now}
    if len(statements) == 1:
        return session.scalar(statements[0], params) == 1
    completing, tallying = statements
    if session.execute(completing, params).rowcount != 1:
        return False
    session.execute(tallying, params)
    return True


# SQLAlchemy caches no compiled form of an upsert (the dialects' INSERT ... ON CONFLICT opts out of its
# statement cache), so building and compiling the submit's statements cost more than running them, on
# every submit. They are compiled here once per process, dialect, zone and day, and run as text with
# the same SQL and bound parameters (the response's id, the time).
_COMPLETION_CACHE: dict[tuple, tuple] = {}


def _completion_statements(dialect, zone_key: str, day: str) -> tuple:
    key = (dialect.name, type(dialect), zone_key, day)
    statements = _COMPLETION_CACHE.get(key)
    if statements is None:
        if len(_COMPLETION_CACHE) > 16:  # a new day: the old ones are not needed again
            _COMPLETION_CACHE.clear()
        response = Response.__table__
        now = bindparam("now", type_=response.c.submitted_at.type)
        response_id = bindparam("response_id", type_=response.c.id.type)
        completing = (
            update(response)
            .where(response.c.id == response_id, response.c.status == ResponseStatus.IN_PROGRESS)
            .values(status=ResponseStatus.COMPLETED, submitted_at=now, updated_at=now, current_page=None)
        )
        if dialect.name == "postgresql":
            done = completing.returning(response.c.id).cte("done")
            tallied = _upsert_for(
                dialect.name, [Response.id.in_(select(done.c.id)), Response.voided_at.is_(None)], +1, day
            ).cte("tallied")
            statements = (_as_text(select(func.count()).select_from(done).add_cte(tallied), dialect),)
        else:
            upsert = _upsert_for(dialect.name, [Response.id == response_id, Response.voided_at.is_(None)], +1, day)
            statements = (_as_text(completing, dialect), _as_text(upsert, dialect))
        _COMPLETION_CACHE[key] = statements
    return statements


def _upsert_for(dialect_name: str, where: list, sign: int, day: str):
    """_upsert() for a known day (no query needed to build it)."""
    day_column = _const(f"'{date.fromisoformat(day).isoformat()}'", String)
    source = union_all(*_arms(where, day_column, sign, False, None))
    statement = (
        (postgresql if dialect_name == "postgresql" else sqlite).insert(AnswerTally).from_select([*KEY, "n"], source)
    )
    return statement.on_conflict_do_update(
        index_elements=list(KEY), set_={"n": AnswerTally.__table__.c.n + statement.excluded.n}
    )


def _as_text(statement, dialect) -> TextClause:
    """The statement compiled for this dialect, as a text clause with the same bound parameters (and types)."""
    # the dialect's SQL without a driver's bind casts (psycopg's `:x::TYPE` is not text()'s syntax)
    generic = postgresql.base.PGDialect if dialect.name == "postgresql" else sqlite.base.SQLiteDialect
    compiled = statement.compile(dialect=generic(paramstyle="named"))
    values = compiled.params
    types = {name: bind.type for bind, name in compiled.bind_names.items()}
    binds = [bindparam(name, values.get(name), type_=type_) for name, type_ in types.items()]
    return text(compiled.string).bindparams(*binds)


def contacts_changing(session: Session, contact_ids: list[int], sign: int) -> None:
    """Move the segment rows of these contacts' counted responses: -1 before their attributes change, +1 after."""
    for lo in range(0, len(contact_ids), 5000):  # within SQLite's limit of bound parameters
        chunk = contact_ids[lo : lo + 5000]
        apply(
            session,
            [*counted(), Response.invitation_id.in_(select(Invitation.id).where(Invitation.contact_id.in_(chunk)))],
            sign,
            segments_only=True,
        )


def usable(session: Session) -> bool:
    """Whether the tallies are kept here and count days in the configured zone (else the dashboards scan)."""
    kept = select(TallyState.id).where(TallyState.id == 1).exists()
    # The first and last zone: two probes of the primary key's ends (zone leads it), never a scan of the rows.
    lowest = select(func.min(AnswerTally.zone)).scalar_subquery()
    highest = select(func.max(AnswerTally.zone)).scalar_subquery()
    found, low, high = session.execute(select(kept, lowest, highest)).one()
    key = _zone().key
    return bool(found) and low in (None, key) and high in (None, key)


def rebuild(session: Session) -> int:
    """Count every tally again from the raw rows (the backfill, and repair); returns the rows written."""
    session.execute(delete(AnswerTally))
    apply(session, counted(), +1)
    session.execute(delete(AnswerTally).where(AnswerTally.n == 0))
    if session.execute(update(TallyState).where(TallyState.id == 1).values(rebuilt_at=utcnow())).rowcount == 0:
        session.execute(TallyState.__table__.insert().values(id=1, rebuilt_at=utcnow()))
    return session.scalar(select(func.count()).select_from(AnswerTally)) or 0


def fresh(session: Session) -> dict[tuple, int]:
    """What the tallies should hold, by a fresh GROUP BY over the raw rows (for tests and checks)."""
    day = _day_expression(session, counted())
    rows = session.execute(union_all(*_arms(counted(), day, +1, False)))
    return {tuple(row[:-1]): row[-1] for row in rows if row[-1]}


def stored(session: Session) -> dict[tuple, int]:
    """The tallies as stored, rows of 0 left out (they remain after a response is taken away)."""
    columns = [getattr(AnswerTally, k) for k in KEY]
    return {tuple(row[:-1]): row[-1] for row in session.execute(select(*columns, AnswerTally.n)) if row[-1]}


# ---------------------------------------------------------------- ORM changes


def _counts(status, voided_at) -> bool:
    return status == ResponseStatus.COMPLETED and voided_at is None


def _before_and_after(response: Response):
    state = inspect(response)
    before, after, changed = {}, {}, False
    for name in ("status", "voided_at", "submitted_at"):
        history = state.attrs[name].history
        now = getattr(response, name)
        after[name] = now
        if history.has_changes():
            changed = True
            before[name] = history.deleted[0] if history.deleted else None
        else:
            before[name] = now
    return changed, before, after


def _after_flush(session: Session, flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, Response) and _counts(obj.status, obj.voided_at):
            apply(session, [Response.id == obj.id], +1, day=local_day(obj.submitted_at))
    for obj in session.dirty:
        if not isinstance(obj, Response):
            continue
        changed, before, after = _before_and_after(obj)
        if not changed:
            continue
        if _counts(before["status"], before["voided_at"]):
            apply(session, [Response.id == obj.id], -1, day=local_day(before["submitted_at"]))
        if _counts(after["status"], after["voided_at"]):
            apply(session, [Response.id == obj.id], +1, day=local_day(after["submitted_at"]))


def install() -> None:
    """Listen to ORM flushes (once per process; called by create_app)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)


__all__ = ["apply", "contacts_changing", "fresh", "install", "local_day", "rebuild", "stored", "usable"]
