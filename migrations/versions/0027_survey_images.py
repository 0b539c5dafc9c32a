"""survey images: pictures stored with a survey (easy read, XLSForm media)

Revision ID: 0027_survey_images
Revises: 0023_answer_tallies
Create Date: 2026-12-07 14:00:00
"""
from alembic import op
import sqlalchemy as sa

from surveyapp.models._common import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0027_survey_images'
down_revision = '0023_answer_tallies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey_image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('content_type', sa.String(length=30), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_image_survey_id_survey'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_survey_image_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_image')),
        sa.UniqueConstraint('survey_id', 'name', name=op.f('uq_survey_image_survey_id_name')),
    )
    with op.batch_alter_table('survey_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_image_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_image_survey_id'))
    op.drop_table('survey_image')
