"""invitation tallies: the response-rate dashboard's pre-aggregated counts, kept by triggers, backfilled

Revision ID: 0029_invitation_tallies
Revises: 0028_user_interface_language
Create Date: 2026-12-07 17:00:00

invitation_tally: one row per (survey, attribute, segment, measure, bucket) with a count
(models/funnel_tallies.py): the funnel per contact attribute, the responses per collection mode and the
emails and reminders per UTC quarter-hour. Kept by row triggers on invitation, response, invitation_event
and contact_attribute (PL/pgSQL functions on PostgreSQL, SQLite triggers), made here as create_all makes
them. The backfill is the same INSERT ... SELECT ... GROUP BY as `flask tallies rebuild`; it adds the
tally_state row 2 that tells the dashboards the tallies are kept.
"""
from alembic import op
import sqlalchemy as sa

from surveyapp.models.funnel_tallies import FUNNEL_STATE_ID, rebuild_statements, trigger_statements


# revision identifiers, used by Alembic.
revision = '0029_invitation_tallies'
down_revision = '0028_user_interface_language'
branch_labels = None
depends_on = None

TRIGGERS = {
    "invitation": "invitation",
    "response": "response",
    "event": "invitation_event",
    "event_bounce": "invitation_event",
    "attribute": "contact_attribute",
}


def upgrade():
    op.create_table('invitation_tally',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('attribute', sa.String(length=200), nullable=False),
    sa.Column('segment', sa.String(length=500), nullable=False),
    sa.Column('measure', sa.String(length=30), nullable=False),
    sa.Column('bucket', sa.String(length=16), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('survey_id', 'attribute', 'segment', 'measure', 'bucket', name='pk_invitation_tally')
    )
    dialect = op.get_bind().dialect.name
    for statement in trigger_statements(dialect) + rebuild_statements(dialect):
        op.execute(sa.text(statement.replace(":", r"\:")))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, table in TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS tally_{name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS tally_{name}()")
    else:
        for (name,) in bind.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tally\\_%' ESCAPE '\\'")):
            op.execute(f"DROP TRIGGER {name}")
    op.execute(f"DELETE FROM tally_state WHERE id = {FUNNEL_STATE_ID}")
    op.drop_table('invitation_tally')
