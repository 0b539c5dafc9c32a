"""API tokens: several per account with scope, expiry, last use and revocation; contact import reports

Revision ID: 0014_api_tokens
Revises: 0005_dash
Create Date: 2026-12-01 20:30:00

api_token replaces user_account.api_token_hash (one token per account, no expiry).
Tokens issued before this migration are carried over as read-only tokens that expire
90 days after the upgrade. contact_import_report keeps the full problem list of an
import (gzipped CSV) for its download, for a few days (issue 13, items 2 and 9).
"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import surveyapp.models._common

revision = '0014_api_tokens'
down_revision = '0012_invitation_states'
branch_labels = None
depends_on = None


def upgrade():
    api_token = op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('created_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scope IN ('read', 'write')", name=op.f('ck_api_token_scope')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    now = datetime.now(UTC)
    carried = op.get_bind().execute(
        sa.text('SELECT id, api_token_hash FROM user_account WHERE api_token_hash IS NOT NULL')
    ).all()
    if carried:
        op.bulk_insert(api_token, [
            {'user_id': user_id, 'token_hash': token_hash, 'scope': 'read', 'created_at': now,
             'expires_at': now + timedelta(days=90)}
            for user_id, token_hash in carried
        ])
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_api_token_hash'), type_='unique')
        batch_op.drop_column('api_token_hash')

    op.create_table('contact_import_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', surveyapp.models._common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('problems_csv_gz', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_contact_import_report_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_import_report'))
    )
    with op.batch_alter_table('contact_import_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_import_report_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('contact_import_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_import_report_created_at'))
    op.drop_table('contact_import_report')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_api_token_hash'), ['api_token_hash'])
    # Tokens are not carried back: an account's several tokens do not fit one column.
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
    op.drop_table('api_token')
