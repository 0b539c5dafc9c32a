"""preview links and the analysts allowed to edit a survey

Revision ID: 0020_preview_links
Revises: 0019_editor_draft
Create Date: 2026-12-02 04:45:00

preview_link: a survey's draft read-only for reviewers without an account (token stored as SHA-256,
expiry, revocation). survey_editor: which surveys an analyst may change in the editor.
"""
from alembic import op
import sqlalchemy as sa

import surveyapp.models._common


# revision identifiers, used by Alembic.
revision = '0020_preview_links'
down_revision = '0019_editor_draft'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('preview_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_preview_link_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_preview_link_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preview_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_preview_link_token_hash'))
    )
    with op.batch_alter_table('preview_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preview_link_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_editor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('created_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_editor_survey_id_survey')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_survey_editor_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_editor')),
    sa.UniqueConstraint('user_id', 'survey_id', name=op.f('uq_survey_editor_user_id_survey_id'))
    )
    with op.batch_alter_table('survey_editor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_editor_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_editor_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_editor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_editor_user_id'))
        batch_op.drop_index(batch_op.f('ix_survey_editor_survey_id'))
    op.drop_table('survey_editor')
    with op.batch_alter_table('preview_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preview_link_survey_id'))
    op.drop_table('preview_link')
