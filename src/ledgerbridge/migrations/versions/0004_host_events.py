"""host events and webhook subscriptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:12:11.615812
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledgerbridge.book import types as lbt

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('host_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('connection_id', sa.String(length=40), nullable=True),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('record_kind', sa.String(length=40), nullable=True),
    sa.Column('record_id', sa.String(length=40), nullable=True),
    sa.Column('remote_id', sa.String(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('data', lbt.JSONText(), nullable=True),
    sa.Column('occurred_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_host_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_events'))
    )
    with op.batch_alter_table('host_events', schema=None) as batch_op:
        batch_op.create_index('ix_host_events_tenant_id_id', ['tenant_id', 'id'], unique=False)

    op.create_table('webhook_subscriptions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('secret_enc', sa.Text(), nullable=False),
    sa.Column('types', lbt.JSONText(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('cursor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_status', sa.String(length=200), nullable=True),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_webhook_subscriptions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscriptions'))
    )
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_subscriptions_tenant_id'), ['tenant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_subscriptions_tenant_id'))

    op.drop_table('webhook_subscriptions')
    with op.batch_alter_table('host_events', schema=None) as batch_op:
        batch_op.drop_index('ix_host_events_tenant_id_id')

    op.drop_table('host_events')
