"""dashboard indexes: grouping answers by value, and the invitation timeline by kind

Revision ID: 0005_dash
Revises: 0001
Create Date: 2026-11-25 21:00:00

ix_answer_question_values lets the results page group all of a survey's answers
by reading one covering index in group order (no table lookups, no sort);
ix_invitation_event_survey_kind_at serves the "invitations and reminders sent"
markers. Figures in docs/PERFORMANCE.md ("Dashboards").
"""
from alembic import op

revision = '0005_dash'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index('ix_answer_question_values',
                              ['question_id', 'choice_id', 'value_number', 'value_date', 'response_id'], unique=False)
    with op.batch_alter_table('invitation_event', schema=None) as batch_op:
        batch_op.create_index('ix_invitation_event_survey_kind_at', ['survey_id', 'kind', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('invitation_event', schema=None) as batch_op:
        batch_op.drop_index('ix_invitation_event_survey_kind_at')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_question_values')
