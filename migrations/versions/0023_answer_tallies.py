"""answer tallies: the dashboards' pre-aggregated counts, backfilled from the responses

Revision ID: 0023_answer_tallies
Revises: 0022_response_language
Create Date: 2026-12-07 14:00:00

answer_tally: one row per (zone, survey, segment, mode, local day, version, question, value) with the
number of completed, non-voided responses' answer rows (models/tallies.py). tally_state: one row while
the tallies are kept. The backfill is analysis.tallies.rebuild(): one INSERT ... SELECT ... GROUP BY
over answer, response and contact_attribute on either dialect (days in SURVEYAPP_TIMEZONE).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

import surveyapp.models._common


# revision identifiers, used by Alembic.
revision = '0023_answer_tallies'
down_revision = '0022_response_language'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('answer_tally',
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('attribute', sa.String(length=200), nullable=False),
    sa.Column('segment', sa.String(length=500), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=False),
    sa.Column('has_number', sa.Integer(), nullable=False),
    sa.Column('number', sa.Float(), nullable=False),
    sa.Column('date_value', sa.String(length=10), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('zone', 'survey_id', 'attribute', 'segment', 'mode', 'day', 'version_id', 'question_id', 'choice_id', 'has_number', 'number', 'date_value', name='pk_answer_tally')
    )
    op.create_table('tally_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rebuilt_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_state'))
    )
    from surveyapp.analysis import tallies

    session = Session(bind=op.get_bind())
    tallies.rebuild(session)
    session.flush()


def downgrade():
    op.drop_table('tally_state')
    op.drop_table('answer_tally')
