"""the questionnaire editor's draft of a survey

Revision ID: 0019_editor_draft
Revises: 0018_answers_copy
Create Date: 2026-12-02 00:40:00

survey.draft_definition (JSON, nullable): the editor's unpublished draft, in the
shape of Questionnaire.to_dict(), which may not validate yet; survey.draft_updated_at.
"""
from alembic import op
import sqlalchemy as sa

import surveyapp.models._common


# revision identifiers, used by Alembic.
revision = '0019_editor_draft'
down_revision = '0018_answers_copy'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_definition', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('draft_updated_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('draft_updated_at')
        batch_op.drop_column('draft_definition')
