"""sync engine: settings, mappings, links, operations, runs, state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:08:33.854782
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledgerbridge.book import types as lbt

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('links',
    sa.Column('connection_id', sa.String(length=40), nullable=False),
    sa.Column('record_kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=40), nullable=False),
    sa.Column('remote_kind', sa.String(length=40), nullable=False),
    sa.Column('remote_id', sa.String(length=64), nullable=False),
    sa.Column('remote_version', sa.String(length=64), nullable=True),
    sa.Column('remote_name', sa.String(length=500), nullable=True),
    sa.Column('sent_hash', sa.String(length=64), nullable=True),
    sa.Column('record_version', sa.Integer(), nullable=True),
    sa.Column('how', sa.String(length=20), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_links_connection_id_connections')),
    sa.PrimaryKeyConstraint('connection_id', 'record_kind', 'record_id', name=op.f('pk_links')),
    sa.UniqueConstraint('connection_id', 'remote_kind', 'remote_id', name=op.f('uq_links_connection_id_remote_kind_remote_id'))
    )
    op.create_table('mappings',
    sa.Column('connection_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('local_id', sa.String(length=40), nullable=False),
    sa.Column('remote_id', sa.String(length=64), nullable=False),
    sa.Column('remote_name', sa.String(length=500), nullable=True),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_mappings_connection_id_connections')),
    sa.PrimaryKeyConstraint('connection_id', 'kind', 'local_id', name=op.f('pk_mappings'))
    )
    op.create_table('operations',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('connection_id', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=40), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('record_kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=40), nullable=False),
    sa.Column('record_version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('remote_kind', sa.String(length=40), nullable=False),
    sa.Column('remote_id', sa.String(length=64), nullable=True),
    sa.Column('payload', lbt.JSONText(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('error_action', sa.String(length=20), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('raw_error', sa.Text(), nullable=True),
    sa.Column('blocked_by', sa.String(length=40), nullable=True),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_operations_connection_id_connections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations'))
    )
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.create_index('ix_operations_connection_state', ['connection_id', 'state'], unique=False)
        batch_op.create_index('ix_operations_record', ['connection_id', 'record_kind', 'record_id'], unique=False)

    op.create_table('sync_runs',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('connection_id', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('feed_from', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('feed_to', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('changes_from', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('changes_to', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', lbt.JSONText(), nullable=True),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_sync_runs_connection_id_connections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs'))
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_runs_connection_id'), ['connection_id'], unique=False)

    op.create_table('sync_settings',
    sa.Column('connection_id', sa.String(length=40), nullable=False),
    sa.Column('settings', lbt.JSONText(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_sync_settings_connection_id_connections')),
    sa.PrimaryKeyConstraint('connection_id', name=op.f('pk_sync_settings'))
    )
    op.create_table('sync_state',
    sa.Column('connection_id', sa.String(length=40), nullable=False),
    sa.Column('feed_cursor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('changes_watermark', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_full_sync_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('profile', lbt.JSONText(), nullable=True),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_sync_state_connection_id_connections')),
    sa.PrimaryKeyConstraint('connection_id', name=op.f('pk_sync_state'))
    )


def downgrade() -> None:
    op.drop_table('sync_state')
    op.drop_table('sync_settings')
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_runs_connection_id'))

    op.drop_table('sync_runs')
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_index('ix_operations_record')
        batch_op.drop_index('ix_operations_connection_state')

    op.drop_table('operations')
    op.drop_table('mappings')
    op.drop_table('links')
