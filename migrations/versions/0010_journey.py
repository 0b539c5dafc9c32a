"""declined interviews say why: declined at the consent question, or withdrew during the interview

Revision ID: 0010_journey
Revises: 0005_dash
Create Date: 2026-12-01 20:30:00

Both are counted as declined; the reason lets the volunteer's page and the dashboards tell
"did not agree to take part" from "withdrew during the interview" (answers discarded).
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_journey'
down_revision = '0014_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('declined_interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=20), server_default='declined', nullable=False))


def downgrade():
    with op.batch_alter_table('declined_interview', schema=None) as batch_op:
        batch_op.drop_column('reason')
