"""invitation.bounced_at: a permanent delivery failure (SMTP 5xx) of an invitation's email

Revision ID: 0012_invitation_states
Revises: 0005_dash
Create Date: 2026-12-01 20:30:00

Until now a 5xx reply and "gave up after repeated temporary failures" both set
failed_at. Invitations whose email was refused with a 5xx reply move to
bounced_at, so they get no more reminders; the others keep failed_at.
"""
import sqlalchemy as sa
from alembic import op

from surveyapp.models._common import UTCDateTime

revision = '0012_invitation_states'
down_revision = '0005_dash'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bounced_at', UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE invitation SET bounced_at = failed_at, failed_at = NULL "
        "WHERE failed_at IS NOT NULL AND EXISTS (SELECT 1 FROM outbound_email o "
        "WHERE o.invitation_id = invitation.id AND o.status = 'failed' AND o.last_error LIKE '5%')"
    )


def downgrade():
    op.execute("UPDATE invitation SET failed_at = bounced_at WHERE bounced_at IS NOT NULL AND failed_at IS NULL")
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('bounced_at')
