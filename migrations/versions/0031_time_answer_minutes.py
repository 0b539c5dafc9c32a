"""time answers: value_number holds the minutes after midnight, so the dashboards count them per hour in SQL

Revision ID: 0031_time_answer_minutes
Revises: 0029_invitation_tallies
Create Date: 2026-12-07 17:00:00

A `time` answer was kept as value_text "HH:MM" only; new answers also carry value_number (hours * 60 +
minutes, questionnaires/types.STORE_TIME). This fills it in for the answers already given and, where the
tallies are kept, moves their tally rows (taken away before, added back after: exact, in this transaction).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

# revision identifiers, used by Alembic.
revision = '0031_time_answer_minutes'
down_revision = '0029_invitation_tallies'
branch_labels = None
depends_on = None


def _retally(change):
    from surveyapp.analysis import tallies
    from surveyapp.models import AnswerTally, Question, Response, TallyState
    from surveyapp.models.responses import Answer

    session = Session(bind=op.get_bind())
    time_questions = sa.select(Question.id).where(Question.qtype == "time")
    timed = Response.id.in_(sa.select(Answer.response_id).where(Answer.question_id.in_(time_questions)))
    kept = session.execute(sa.select(TallyState.id)).first() is not None
    if kept:
        tallies.apply(session, [*tallies.counted(), timed], -1)
    change(session, Answer, time_questions)
    if kept:
        tallies.apply(session, [*tallies.counted(), timed], +1)
        session.execute(sa.delete(AnswerTally).where(AnswerTally.n == 0))
    session.flush()


def _minutes(session, Answer, time_questions):
    hours = sa.cast(sa.func.substr(Answer.value_text, 1, 2), sa.Integer)
    minutes = sa.cast(sa.func.substr(Answer.value_text, 4, 2), sa.Integer)
    session.execute(
        sa.update(Answer)
        .where(Answer.question_id.in_(time_questions), sa.func.length(Answer.value_text) == 5)
        .values(value_number=sa.cast(hours * 60 + minutes, sa.Float))
    )


def _no_minutes(session, Answer, time_questions):
    session.execute(sa.update(Answer).where(Answer.question_id.in_(time_questions)).values(value_number=None))


def upgrade():
    _retally(_minutes)


def downgrade():
    _retally(_no_minutes)
