"""response.copy_sent_at: when a copy of the answers was queued for the respondent

Revision ID: 0018_answers_copy
Revises: 0017_report
Create Date: 2026-12-02 00:30:00

One copy per response ("email me a copy of my answers", a survey setting that is off by
default): the conditional UPDATE of this column is what stops a second copy.
"""
from alembic import op
import sqlalchemy as sa

import surveyapp.models._common


# revision identifiers, used by Alembic.
revision = '0018_answers_copy'
down_revision = '0017_report'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('response', sa.Column('copy_sent_at', surveyapp.models._common.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('response') as batch_op:
        batch_op.drop_column('copy_sent_at')
