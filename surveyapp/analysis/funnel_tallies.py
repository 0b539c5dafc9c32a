"""Invitation tallies (models/funnel_tallies.py): kept by database triggers, read by queries.py.

The triggers move the tallies in the statement of every change, on any path; this module reads whether
they are kept, counts them again (`flask tallies rebuild`, the migration's backfill) and compares them with
a fresh GROUP BY (`flask tallies check`, tests/test_funnel_tallies.py).
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models import InvitationTally, TallyState
from ..models.funnel_tallies import FUNNEL_KEY, FUNNEL_STATE_ID, fresh_rows, rebuild_statements


def usable(session: Session) -> bool:
    """Whether the invitation tallies are kept here (their tally_state row: made with the table or by a rebuild)."""
    return session.scalar(select(TallyState.id).where(TallyState.id == FUNNEL_STATE_ID)) is not None


def rebuild(session: Session) -> int:
    """Count every invitation tally again from the raw rows; returns the rows written."""
    dialect = session.get_bind().dialect.name
    for statement in rebuild_statements(dialect):
        session.execute(text(statement.replace(":", r"\:")))
    session.execute(InvitationTally.__table__.delete().where(InvitationTally.n == 0))
    return session.scalar(select(text("count(*)")).select_from(InvitationTally)) or 0


def fresh(session: Session) -> dict[tuple, int]:
    """What the tallies should hold, by a fresh GROUP BY over the raw rows (for tests and checks)."""
    sql = fresh_rows(session.get_bind().dialect.name).replace(":", r"\:")
    grouped = f"SELECT {', '.join(FUNNEL_KEY)}, sum(n) FROM ({sql}) AS rows GROUP BY {', '.join(FUNNEL_KEY)}"
    return {tuple(row[:-1]): int(row[-1]) for row in session.execute(text(grouped)) if row[-1]}


def stored(session: Session) -> dict[tuple, int]:
    """The tallies as stored, rows of 0 left out (they remain after a count falls back to nothing)."""
    columns = [getattr(InvitationTally, k) for k in FUNNEL_KEY]
    return {tuple(row[:-1]): row[-1] for row in session.execute(select(*columns, InvitationTally.n)) if row[-1]}


__all__ = ["fresh", "rebuild", "stored", "usable"]
