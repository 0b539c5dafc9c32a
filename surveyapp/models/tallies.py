"""Pre-aggregated answer tallies: the dashboards read these instead of scanning every answer row.

One row per (survey, version, question, value, local day, collection mode, segment) with the number
of completed, non-voided responses' answer rows that have it. Kept exact in the transactions that
complete or un-complete a response (analysis/tallies.py); tests check they always equal a fresh
GROUP BY over the raw rows. Two kinds of marker rows share the table:

- choice_id = -1: respondents who answered the question (one per response and question), for
  multiple-choice questions whose answers are several rows;
- question_id = 0, choice_id = -2: completed responses (the respondent count).

Days are local days in the organisation's time zone, named in each row (`zone`). Rows with attribute '' count every response; rows with attribute <name> count the responses whose
invitation's contact has that attribute, under segment = its value (the dashboards' segment filter).
Key columns are NOT NULL (0, '' for none) so that ON CONFLICT upserts match on both dialects.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, PrimaryKeyConstraint, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import UTCDateTime

RESPONDENTS_MARK = -1  # choice_id of the "respondents who answered this question" rows
RESPONSES_MARK = -2  # choice_id (with question_id 0) of the "completed responses" rows
#: what one tally row counts: its primary key, and the ON CONFLICT target of every upsert (analysis/tallies.py)
TALLY_KEY = (
    "zone",
    "survey_id",
    "attribute",
    "segment",
    "mode",
    "day",
    "version_id",
    "question_id",
    "choice_id",
    "has_number",
    "number",
    "date_value",
)


class AnswerTally(db.Model):
    __tablename__ = "answer_tally"
    __table_args__ = (PrimaryKeyConstraint(*TALLY_KEY, name="pk_answer_tally"),)

    zone: Mapped[str] = mapped_column(String(64))  # the time zone `day` is in (SURVEYAPP_TIMEZONE when counted)
    survey_id: Mapped[int] = mapped_column(Integer)
    attribute: Mapped[str] = mapped_column(String(200))  # '' for all responses
    segment: Mapped[str] = mapped_column(String(500))  # the attribute's value ('' with attribute '')
    mode: Mapped[str] = mapped_column(String(10))  # collection mode
    day: Mapped[str] = mapped_column(String(10))  # 'YYYY-MM-DD' of submitted_at in `zone`
    version_id: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(Integer)  # 0 in the completed-responses rows
    choice_id: Mapped[int] = mapped_column(Integer)  # 0: no choice; -1, -2: the marker rows above
    has_number: Mapped[int] = mapped_column(Integer)  # 1 when value_number is set
    number: Mapped[float] = mapped_column(Float)  # value_number, 0 when not set
    date_value: Mapped[str] = mapped_column(String(10))  # value_date 'YYYY-MM-DD', '' when not set
    n: Mapped[int] = mapped_column(Integer)


class TallyState(db.Model):
    """One row while the tallies are kept (made with the table, and by the migration's backfill).

    The dashboards read the tallies only while this row exists and every tally row's zone is
    SURVEYAPP_TIMEZONE; after changing the setting, `flask --app wsgi tallies rebuild` counts them
    again in the new zone (until then the dashboards scan the answers, as without tallies).
    """

    __tablename__ = "tally_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rebuilt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(TallyState.__table__, "after_create")
def _one_state_row(target, connection, **kw):
    connection.execute(target.insert().values(id=1))
