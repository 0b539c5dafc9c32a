"""report back sheets, and a disclosure policy per survey

Revision ID: 0017_report
Revises: 0005_dash
Create Date: 2026-12-01 19:57:29

survey.disclosure_policy (people, professional, off; existing surveys keep
NHS England's rule, "people") and survey.disclosure_min_cell (professional
opinion's minimum group, 5); the report back tables: report_back,
report_section, report_action, report_share (hashed share-link tokens).
"""
from alembic import op
import sqlalchemy as sa

import surveyapp.models._common


# revision identifiers, used by Alembic.
revision = '0017_report'
down_revision = '0010_journey'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_back',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('meeting', sa.String(length=300), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finalised_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'final')", name=op.f('ck_report_back_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_report_back_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['previous_id'], ['report_back.id'], name=op.f('fk_report_back_previous_id_report_back')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_report_back_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_back'))
    )
    with op.batch_alter_table('report_back', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_back_survey_id'), ['survey_id'], unique=False)

    op.create_table('report_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('of_whom', sa.String(length=300), nullable=False),
    sa.Column('by_when', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'promised', 'done', 'dropped')", name=op.f('ck_report_action_status')),
    sa.ForeignKeyConstraint(['carried_from_id'], ['report_action.id'], name=op.f('fk_report_action_carried_from_id_report_action')),
    sa.ForeignKeyConstraint(['report_id'], ['report_back.id'], name=op.f('fk_report_action_report_id_report_back')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_action'))
    )
    with op.batch_alter_table('report_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_action_report_id'), ['report_id'], unique=False)

    op.create_table('report_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=300), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('figure_kind', sa.String(length=20), nullable=True),
    sa.Column('figure_params', sa.JSON(), nullable=True),
    sa.Column('frozen', sa.JSON(), nullable=True),
    sa.Column('outside', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['report_back.id'], name=op.f('fk_report_section_report_id_report_back')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_section'))
    )
    with op.batch_alter_table('report_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_section_report_id'), ['report_id'], unique=False)

    op.create_table('report_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_report_share_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['report_id'], ['report_back.id'], name=op.f('fk_report_share_report_id_report_back')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_share')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_report_share_token_hash'))
    )
    with op.batch_alter_table('report_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_share_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disclosure_policy', sa.String(length=20), server_default='people', nullable=False))
        batch_op.add_column(sa.Column('disclosure_min_cell', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(
            'disclosure_policy', "disclosure_policy IN ('people', 'professional', 'off')"
        )



def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_constraint('disclosure_policy', type_='check')
        batch_op.drop_column('disclosure_min_cell')
        batch_op.drop_column('disclosure_policy')

    with op.batch_alter_table('report_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_share_report_id'))

    op.drop_table('report_share')
    with op.batch_alter_table('report_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_section_report_id'))

    op.drop_table('report_section')
    with op.batch_alter_table('report_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_action_report_id'))

    op.drop_table('report_action')
    with op.batch_alter_table('report_back', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_back_survey_id'))

    op.drop_table('report_back')
