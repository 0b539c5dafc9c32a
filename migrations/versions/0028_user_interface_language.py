"""user interface language: a staff member's own choice of the product's interface language

Revision ID: 0028_user_interface_language
Revises: 0027_survey_images
Create Date: 2026-12-07 17:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028_user_interface_language'
down_revision = '0027_survey_images'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interface_language', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('interface_language')
