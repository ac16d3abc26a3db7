"""QuickBooks connections and OAuth states

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledgerbridge.book import types as lbt

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('connections',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('environment', sa.String(length=20), nullable=False),
    sa.Column('api_base', sa.String(length=500), nullable=False),
    sa.Column('oauth_base', sa.String(length=500), nullable=True),
    sa.Column('client_id', sa.String(length=200), nullable=True),
    sa.Column('client_secret_enc', sa.Text(), nullable=True),
    sa.Column('webhook_verifier_enc', sa.Text(), nullable=True),
    sa.Column('realm_id', sa.String(length=40), nullable=True),
    sa.Column('company_name', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_message', sa.Text(), nullable=True),
    sa.Column('access_token_enc', sa.Text(), nullable=True),
    sa.Column('refresh_token_enc', sa.Text(), nullable=True),
    sa.Column('access_expires_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refresh_expires_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('token_generation', sa.Integer(), nullable=False),
    sa.Column('webhook_dirty', sa.Boolean(), nullable=False),
    sa.Column('webhook_marked_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_connections_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connections'))
    )
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.create_index('ix_connections_realm_id', ['realm_id'], unique=False)
        batch_op.create_index('ix_connections_tenant_id_name', ['tenant_id', 'name'], unique=True)

    op.create_table('oauth_states',
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('connection_id', sa.String(length=40), nullable=False),
    sa.Column('redirect_uri', sa.String(length=1000), nullable=False),
    sa.Column('expires_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_oauth_states_connection_id_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_oauth_states_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_oauth_states'))
    )
    with op.batch_alter_table('oauth_states', schema=None) as batch_op:
        batch_op.create_index('ix_oauth_states_connection_id', ['connection_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('oauth_states', schema=None) as batch_op:
        batch_op.drop_index('ix_oauth_states_connection_id')

    op.drop_table('oauth_states')
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_index('ix_connections_tenant_id_name')
        batch_op.drop_index('ix_connections_realm_id')

    op.drop_table('connections')
