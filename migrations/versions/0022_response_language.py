"""languages: the response's language; message templates per language

Revision ID: 0022_response_language
Revises: 0020_preview_links
Create Date: 2026-12-02 04:40:00

response.language (nullable): the language the respondent chose (NULL: the survey's default).
message_template.language (NOT NULL, '' for the default language): one invitation and one
reminder template per survey and language; the unique constraint becomes
(survey_id, kind, language).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_response_language'
down_revision = '0020_preview_links'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('response', sa.Column('language', sa.String(length=35), nullable=True))
    with op.batch_alter_table('message_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=35), server_default='', nullable=False))
        batch_op.drop_constraint('uq_message_template_survey_id_kind', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_message_template_survey_id_kind_language'), ['survey_id', 'kind', 'language']
        )


def downgrade():
    # Templates in other languages than the default cannot be kept under the old constraint.
    op.execute("DELETE FROM message_template WHERE language <> ''")
    with op.batch_alter_table('message_template', schema=None) as batch_op:
        batch_op.drop_constraint('uq_message_template_survey_id_kind_language', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_message_template_survey_id_kind'), ['survey_id', 'kind'])
        batch_op.drop_column('language')
    with op.batch_alter_table('response') as batch_op:
        batch_op.drop_column('language')
