"""Pre-aggregated invitation tallies: the response-rate dashboard and the API stats read these instead of
scanning every invitation, response and invitation event of a survey.

One row per (survey, attribute, segment, measure, bucket) with a count:

- funnel measures (FUNNEL_MEASURES: invited, emailed, opened, started, completed, failed, opted_out,
  reminded, bounced), bucket '': the survey's invitations at that step, as queries.funnel_by_attribute
  counts them (not revoked; 'completed' their completed, non-voided responses; 'bounced' the invitations
  with a 'bounced' event, revoked or not). Attribute '' (segment '') counts every invitation; attribute
  <name> the invitations whose contact has that attribute, under segment = its value. The segment
  "(none)" (contacts without it) is the total less the values, worked out when read.
- 'mode:completed', 'mode:in_progress', 'mode:voided' (attribute '', segment = collection mode, bucket
  ''): the survey's responses, as queries.responses_by_mode counts them.
- 'sent:emailed', 'sent:reminded' (attribute '', segment ''): the timeline's emailed and reminded events
  per UTC quarter-hour bucket 'YYYY-MM-DD HH:MM' (every zone's offset is a multiple of 15 minutes, so
  the buckets are moved to the organisation's local days when read, in any zone).

They are kept exact by database triggers on invitation, response, invitation_event and contact_attribute
(the SQL below, made with the tables by create_all and by migration 0029_invitation_tallies), so every
writer, ORM or Core, the mail worker's raw DBAPI statements and bulk SQL alike, moves them in its own
statement and transaction, without one more round trip. Each trigger adds the change's difference with
one `INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE SET n = n + excluded.n` (atomic under
concurrent writers). `flask tallies rebuild` counts them again; tests/test_funnel_tallies.py checks they
always equal a fresh GROUP BY (analysis/funnel_tallies.py).
"""

from __future__ import annotations

from sqlalchemy import DDL, Integer, PrimaryKeyConstraint, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

FUNNEL_MEASURES = ("invited", "emailed", "opened", "started", "completed", "failed", "opted_out", "reminded", "bounced")
MODE_MEASURES = ("mode:completed", "mode:in_progress", "mode:voided")
SEND_MEASURES = ("sent:emailed", "sent:reminded")
#: the primary key, and the ON CONFLICT target of every upsert
FUNNEL_KEY = ("survey_id", "attribute", "segment", "measure", "bucket")
#: the tally_state row (models/tallies.py) present while these tallies are kept (id 1 is the answer tallies')
FUNNEL_STATE_ID = 2


class InvitationTally(db.Model):
    __tablename__ = "invitation_tally"
    __table_args__ = (PrimaryKeyConstraint(*FUNNEL_KEY, name="pk_invitation_tally"),)

    survey_id: Mapped[int] = mapped_column(Integer)
    attribute: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(500))
    measure: Mapped[str] = mapped_column(String(30))
    bucket: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- the triggers' SQL

_UPSERT = (
    "INSERT INTO invitation_tally (survey_id, attribute, segment, measure, bucket, n) "
    "SELECT survey_id, attribute, segment, measure, bucket, sum(n) FROM ({rows}) AS changed WHERE n <> 0 "
    "GROUP BY survey_id, attribute, segment, measure, bucket "
    # in key order, so that concurrent writers lock the rows they share in one order (no deadlock)
    "ORDER BY survey_id, attribute, segment, measure, bucket "
    "ON CONFLICT (survey_id, attribute, segment, measure, bucket) DO UPDATE SET n = invitation_tally.n + excluded.n"
)


def stages(r: str, sign: int, source: str = "", where: str = "") -> list[tuple[str, str, str]]:
    """(measure, count, condition) of one invitation's funnel steps; `r` names its columns ('NEW.', 'i.')."""
    live = f"{where}{r}revoked_at IS NULL"
    completed = (
        f"(SELECT count(*) FROM response WHERE response.invitation_id = {r}id"
        " AND response.status = 'completed' AND response.voided_at IS NULL)"
    )
    bounced = f"EXISTS (SELECT 1 FROM invitation_event b WHERE b.invitation_id = {r}id AND b.kind = 'bounced')"
    one = str(sign)
    return [
        ("invited", one, live),
        ("emailed", one, f"{live} AND {r}emailed_at IS NOT NULL"),
        ("opened", one, f"{live} AND {r}first_opened_at IS NOT NULL"),
        ("started", one, f"{live} AND {r}started_at IS NOT NULL"),
        ("completed", f"{sign} * {completed}", live),
        ("failed", one, f"{live} AND {r}failed_at IS NOT NULL"),
        ("opted_out", one, f"{live} AND {r}opted_out_at IS NOT NULL"),
        ("reminded", one, f"{live} AND {r}reminder_count > 0"),
        ("bounced", one, f"{where}{bounced}"),
    ]


def invitation_rows(r: str, sign: int, source: str = "", where: str = "", segments: str | None = None) -> str:
    """The tally rows of invitations: `r` a row (OLD./NEW.) or an alias of `source` ('FROM invitation i').

    Counted under attribute '' and under each attribute of the invitation's contact; with `segments`
    ("name, value" expressions) only under that one attribute (a contact attribute changing).
    """
    arms = []
    for measure, count, condition in stages(r, sign, source, where):
        if segments is None:
            arms.append(
                f"SELECT {r}survey_id AS survey_id, '' AS attribute, '' AS segment, '{measure}' AS measure,"
                f" '' AS bucket, {count} AS n {source} WHERE {condition}"
            )
            arms.append(
                f"SELECT {r}survey_id, ca.name, ca.value, '{measure}', '', {count} {source}"
                f"{' JOIN' if source else ' FROM'} contact_attribute ca "
                f"{'ON' if source else 'WHERE'} ca.contact_id = {r}contact_id {'WHERE' if source else 'AND'} {condition}"
            )
        else:
            arms.append(
                f"SELECT {r}survey_id AS survey_id, {segments}, '{measure}' AS measure, '' AS bucket,"
                f" {count} AS n {source} WHERE {condition}"
            )
    return " UNION ALL ".join(arms)


def response_rows(r: str, sign: int) -> str:
    """A response's tally rows: 'completed' of its invitation, and its collection mode's count."""
    completed = (
        f"SELECT i.survey_id AS survey_id, '' AS attribute, '' AS segment, 'completed' AS measure, '' AS bucket,"
        f" {sign} AS n FROM invitation i WHERE i.id = {r}invitation_id AND i.revoked_at IS NULL"
        f" AND {r}status = 'completed' AND {r}voided_at IS NULL"
        f" UNION ALL SELECT i.survey_id, ca.name, ca.value, 'completed', '', {sign} FROM invitation i"
        f" JOIN contact_attribute ca ON ca.contact_id = i.contact_id WHERE i.id = {r}invitation_id"
        f" AND i.revoked_at IS NULL AND {r}status = 'completed' AND {r}voided_at IS NULL"
    )
    mode = (
        f"SELECT {r}survey_id, '', {r}collection_mode, CASE WHEN {r}voided_at IS NOT NULL THEN 'mode:voided'"
        f" WHEN {r}status = 'completed' THEN 'mode:completed' ELSE 'mode:in_progress' END, '', {sign}"
        f" WHERE {r}voided_at IS NOT NULL OR {r}status IN ('completed', 'in_progress')"
    )
    return f"{completed} UNION ALL {mode}"


def bucket_sql(column: str, dialect: str) -> str:
    """The UTC quarter-hour 'YYYY-MM-DD HH:MM' of a stored instant."""
    if dialect == "postgresql":
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (
            f"to_char({utc}, 'YYYY-MM-DD HH24:') || lpad(((extract(minute FROM {utc})::int / 15) * 15)::text, 2, '0')"
        )
    return (
        f"strftime('%Y-%m-%d %H:', {column}) || printf('%02d', (CAST(strftime('%M', {column}) AS INTEGER) / 15) * 15)"
    )


def event_send_rows(r: str, sign: int, dialect: str) -> str:
    return (
        f"SELECT {r}survey_id AS survey_id, '' AS attribute, '' AS segment, 'sent:' || {r}kind AS measure,"
        f" {bucket_sql(r + 'at', dialect)} AS bucket, {sign} AS n WHERE {r}kind IN ('emailed', 'reminded')"
    )


def event_bounce_rows(r: str, sign: int, excluding: str | None = None) -> str:
    """Run BEFORE the event row changes: the invitation starts (+1) or stops (-1) counting as bounced
    when this is its first bounced event, or its last. `excluding` (an UPDATE's OLD.id): a row not counted."""
    others = f"SELECT count(*) FROM invitation_event e WHERE e.invitation_id = {r}invitation_id AND e.kind = 'bounced'"
    if excluding:
        others += f" AND e.id <> {excluding}"
    condition = f"{r}kind = 'bounced' AND ({others}) = {0 if sign > 0 else 1}"
    return (
        f"SELECT i.survey_id AS survey_id, '' AS attribute, '' AS segment, 'bounced' AS measure, '' AS bucket,"
        f" {sign} AS n FROM invitation i WHERE i.id = {r}invitation_id AND {condition}"
        f" UNION ALL SELECT i.survey_id, ca.name, ca.value, 'bounced', '', {sign} FROM invitation i"
        f" JOIN contact_attribute ca ON ca.contact_id = i.contact_id WHERE i.id = {r}invitation_id AND {condition}"
    )


def attribute_rows(r: str, sign: int) -> str:
    return invitation_rows(
        "i.",
        sign,
        "FROM invitation i",
        f"i.contact_id = {r}contact_id AND ",
        segments=f"{r}name AS attribute, {r}value AS segment",
    )


def upsert(rows: str) -> str:
    return _UPSERT.format(rows=rows)


INVITATION_COLUMNS = ("survey_id", "contact_id", "revoked_at", "emailed_at", "first_opened_at", "started_at")
INVITATION_COLUMNS += ("failed_at", "opted_out_at", "reminder_count", "id")
RESPONSE_COLUMNS = ("survey_id", "invitation_id", "status", "voided_at", "collection_mode")
EVENT_COLUMNS = ("survey_id", "invitation_id", "kind", "at")
ATTRIBUTE_COLUMNS = ("contact_id", "name", "value")


def invited(r: str) -> str:
    return f"EXISTS (SELECT 1 FROM invitation WHERE invitation.contact_id = {r}contact_id)"


def _changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def sqlite_triggers() -> list[str]:
    out = []

    def trigger(name, timing, op, table, body, columns=None, guard=None):
        conditions = [f"({_changed(columns).replace('IS DISTINCT FROM', 'IS NOT')})"] if op == "UPDATE" else []
        conditions += [f"({guard})"] if guard else []
        when = f" WHEN {' AND '.join(conditions)}" if conditions else ""
        of = f" OF {', '.join(columns)}" if op == "UPDATE" and columns else ""
        statements = "".join(f"{upsert(rows)}; " for rows in body)
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS tally_{name} {timing} {op}{of} ON {table} FOR EACH ROW{when} "
            f"BEGIN {statements}END"
        )

    trigger("invitation_insert", "AFTER", "INSERT", "invitation", [invitation_rows("NEW.", 1)])
    trigger("invitation_delete", "AFTER", "DELETE", "invitation", [invitation_rows("OLD.", -1)])
    trigger(
        "invitation_update",
        "AFTER",
        "UPDATE",
        "invitation",
        [invitation_rows("OLD.", -1), invitation_rows("NEW.", 1)],
        INVITATION_COLUMNS,
    )
    trigger("response_insert", "AFTER", "INSERT", "response", [response_rows("NEW.", 1)])
    trigger("response_delete", "AFTER", "DELETE", "response", [response_rows("OLD.", -1)])
    trigger(
        "response_update",
        "AFTER",
        "UPDATE",
        "response",
        [response_rows("OLD.", -1), response_rows("NEW.", 1)],
        RESPONSE_COLUMNS,
    )
    trigger("event_insert", "AFTER", "INSERT", "invitation_event", [event_send_rows("NEW.", 1, "sqlite")])
    trigger("event_delete", "AFTER", "DELETE", "invitation_event", [event_send_rows("OLD.", -1, "sqlite")])
    trigger(
        "event_update",
        "AFTER",
        "UPDATE",
        "invitation_event",
        [event_send_rows("OLD.", -1, "sqlite"), event_send_rows("NEW.", 1, "sqlite")],
        EVENT_COLUMNS,
    )
    trigger("event_bounce_insert", "BEFORE", "INSERT", "invitation_event", [event_bounce_rows("NEW.", 1)])
    trigger("event_bounce_delete", "BEFORE", "DELETE", "invitation_event", [event_bounce_rows("OLD.", -1)])
    trigger(
        "event_bounce_update",
        "BEFORE",
        "UPDATE",
        "invitation_event",
        [event_bounce_rows("OLD.", -1), event_bounce_rows("NEW.", 1, excluding="OLD.id")],
        EVENT_COLUMNS,
    )
    # An attribute of a contact never invited (a contact import's new people) costs one index probe.
    trigger(
        "attribute_insert",
        "AFTER",
        "INSERT",
        "contact_attribute",
        [attribute_rows("NEW.", 1)],
        guard=invited("NEW."),
    )
    trigger(
        "attribute_delete",
        "AFTER",
        "DELETE",
        "contact_attribute",
        [attribute_rows("OLD.", -1)],
        guard=invited("OLD."),
    )
    trigger(
        "attribute_update",
        "AFTER",
        "UPDATE",
        "contact_attribute",
        [attribute_rows("OLD.", -1), attribute_rows("NEW.", 1)],
        ATTRIBUTE_COLUMNS,
        guard=f"{invited('OLD.')} OR {invited('NEW.')}",
    )
    return out


def postgresql_triggers() -> list[str]:
    out = []

    def function(name, timing, table, inserted, deleted, updated, columns, returns, guard=None):
        body = (
            f"IF TG_OP = 'INSERT' THEN {''.join(upsert(r) + '; ' for r in inserted)}"
            f"ELSIF TG_OP = 'DELETE' THEN {''.join(upsert(r) + '; ' for r in deleted)}"
            f"ELSIF {_changed(columns)} THEN {''.join(upsert(r) + '; ' for r in updated)}END IF; "
        )
        if guard:
            body = f"IF {guard} THEN {body}END IF; "
        body += returns
        out.append(
            f"CREATE OR REPLACE FUNCTION tally_{name}() RETURNS trigger LANGUAGE plpgsql AS $tally$ BEGIN {body} END $tally$"
        )
        out.append(f"DROP TRIGGER IF EXISTS tally_{name} ON {table}")
        out.append(
            f"CREATE TRIGGER tally_{name} {timing} INSERT OR DELETE OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION tally_{name}()"
        )

    function(
        "invitation",
        "AFTER",
        "invitation",
        [invitation_rows("NEW.", 1)],
        [invitation_rows("OLD.", -1)],
        [invitation_rows("OLD.", -1), invitation_rows("NEW.", 1)],
        INVITATION_COLUMNS,
        "RETURN NULL;",
    )
    function(
        "response",
        "AFTER",
        "response",
        [response_rows("NEW.", 1)],
        [response_rows("OLD.", -1)],
        [response_rows("OLD.", -1), response_rows("NEW.", 1)],
        RESPONSE_COLUMNS,
        "RETURN NULL;",
    )
    function(
        "event",
        "AFTER",
        "invitation_event",
        [event_send_rows("NEW.", 1, "postgresql")],
        [event_send_rows("OLD.", -1, "postgresql")],
        [event_send_rows("OLD.", -1, "postgresql"), event_send_rows("NEW.", 1, "postgresql")],
        EVENT_COLUMNS,
        "RETURN NULL;",
    )
    # BEFORE: a row trigger sees the rows its statement changed before it (AFTER ones all see the end state).
    function(
        "event_bounce",
        "BEFORE",
        "invitation_event",
        [event_bounce_rows("NEW.", 1)],
        [event_bounce_rows("OLD.", -1)],
        [event_bounce_rows("OLD.", -1), event_bounce_rows("NEW.", 1, excluding="OLD.id")],
        EVENT_COLUMNS,
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;",
    )
    function(
        "attribute",
        "AFTER",
        "contact_attribute",
        [attribute_rows("NEW.", 1)],
        [attribute_rows("OLD.", -1)],
        [attribute_rows("OLD.", -1), attribute_rows("NEW.", 1)],
        ATTRIBUTE_COLUMNS,
        "RETURN NULL;",
        guard=(f"(TG_OP <> 'DELETE' AND {invited('NEW.')}) OR (TG_OP <> 'INSERT' AND {invited('OLD.')})"),
    )
    return out


def trigger_statements(dialect: str) -> list[str]:
    return postgresql_triggers() if dialect == "postgresql" else sqlite_triggers()


def fresh_rows(dialect: str) -> str:
    """Every tally row counted afresh from the raw rows (ungrouped: GROUP BY it)."""
    modes = (
        "SELECT r.survey_id AS survey_id, '' AS attribute, r.collection_mode AS segment,"
        " CASE WHEN r.voided_at IS NOT NULL THEN 'mode:voided' WHEN r.status = 'completed' THEN 'mode:completed'"
        " ELSE 'mode:in_progress' END AS measure, '' AS bucket, 1 AS n FROM response r"
        " WHERE r.voided_at IS NOT NULL OR r.status IN ('completed', 'in_progress')"
    )
    sends = (
        "SELECT e.survey_id, '', '', 'sent:' || e.kind, " + bucket_sql("e.at", dialect) + ", 1"
        " FROM invitation_event e WHERE e.kind IN ('emailed', 'reminded')"
    )
    return " UNION ALL ".join([invitation_rows("i.", 1, "FROM invitation i"), modes, sends])


def rebuild_statements(dialect: str) -> list[str]:
    """Count every row again (the migration's backfill, `flask tallies rebuild`), and mark them kept."""
    state = (
        f"INSERT INTO tally_state (id) SELECT {FUNNEL_STATE_ID} WHERE NOT EXISTS "
        f"(SELECT 1 FROM tally_state WHERE id = {FUNNEL_STATE_ID})"
    )
    return ["DELETE FROM invitation_tally", upsert(fresh_rows(dialect)), state]


def _execute(connection, statement: str) -> None:
    connection.execute(DDL(statement.replace("%", "%%")))


@event.listens_for(InvitationTally.__table__, "after_create")
def _new_table(target, connection, **kw):
    connection.info["invitation_tally_created"] = True


@event.listens_for(db.metadata, "after_create")
def _create_triggers(target, connection, **kw):
    """The triggers (again: harmless) on every create_all; a table just made is counted from the rows there."""
    if "invitation_tally" not in target.tables:
        return
    for statement in trigger_statements(connection.dialect.name):
        _execute(connection, statement)
    if connection.info.pop("invitation_tally_created", False):
        for statement in rebuild_statements(connection.dialect.name):
            _execute(connection, statement)
