"""the book: tenants, api keys, records, change feed

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:46:38.238085
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledgerbridge.book import triggers
from ledgerbridge.book import types as lbt

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

KINDS = {
    'customers': 'customer',
    'locations': 'location',
    'jobs': 'job',
    'service_tickets': 'service_ticket',
    'work_codes': 'work_code',
    'cost_codes': 'cost_code',
    'cost_types': 'cost_type',
    'vendors': 'vendor',
    'inventory_parts': 'inventory_part',
    'invoices': 'invoice',
    'payments': 'payment',
    'purchase_orders': 'purchase_order',
    'bills': 'bill',
}


def upgrade() -> None:
    record_tables: dict[str, sa.Table] = {}
    op.create_table('change_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_events'))
    )
    with op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.create_index('ix_change_events_record', ['kind', 'record_id'], unique=False)
        batch_op.create_index('ix_change_events_tenant_id_id', ['tenant_id', 'id'], unique=False)

    op.create_table('tenants',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('name', name=op.f('uq_tenants_name'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_keys_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_tenant_id'), ['tenant_id'], unique=False)

    record_tables['cost_codes'] = op.create_table('cost_codes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('code', sa.String(length=50), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cost_codes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_codes')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_cost_codes_tenant_id_external_id'))
    )
    with op.batch_alter_table('cost_codes', schema=None) as batch_op:
        batch_op.create_index('ix_cost_codes_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['cost_types'] = op.create_table('cost_types',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cost_types_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_types')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_cost_types_tenant_id_external_id'))
    )
    with op.batch_alter_table('cost_types', schema=None) as batch_op:
        batch_op.create_index('ix_cost_types_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['customers'] = op.create_table('customers',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('company_name', sa.String(length=500), nullable=False),
    sa.Column('contact_name', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('billing_address_line1', sa.String(length=500), nullable=True),
    sa.Column('billing_address_line2', sa.String(length=500), nullable=True),
    sa.Column('billing_address_city', sa.String(length=255), nullable=True),
    sa.Column('billing_address_state', sa.String(length=255), nullable=True),
    sa.Column('billing_address_postal_code', sa.String(length=30), nullable=True),
    sa.Column('billing_address_country', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('taxable', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_customers_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_customers_tenant_id_external_id'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['inventory_parts'] = op.create_table('inventory_parts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sku', sa.String(length=100), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('quantity_on_hand', lbt.Quantity(), nullable=False),
    sa.Column('cost', lbt.Money(), nullable=True),
    sa.Column('price', lbt.Money(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inventory_parts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_parts')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_inventory_parts_tenant_id_external_id'))
    )
    with op.batch_alter_table('inventory_parts', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_parts_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['vendors'] = op.create_table('vendors',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('company_name', sa.String(length=500), nullable=False),
    sa.Column('contact_name', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('address_line1', sa.String(length=500), nullable=True),
    sa.Column('address_line2', sa.String(length=500), nullable=True),
    sa.Column('address_city', sa.String(length=255), nullable=True),
    sa.Column('address_state', sa.String(length=255), nullable=True),
    sa.Column('address_postal_code', sa.String(length=30), nullable=True),
    sa.Column('address_country', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_vendors_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_vendors_tenant_id_external_id'))
    )
    with op.batch_alter_table('vendors', schema=None) as batch_op:
        batch_op.create_index('ix_vendors_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['work_codes'] = op.create_table('work_codes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('rate', lbt.Money(), nullable=True),
    sa.Column('item_kind', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('taxable', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_codes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_codes')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_work_codes_tenant_id_external_id'))
    )
    with op.batch_alter_table('work_codes', schema=None) as batch_op:
        batch_op.create_index('ix_work_codes_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['locations'] = op.create_table('locations',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('address_line1', sa.String(length=500), nullable=True),
    sa.Column('address_line2', sa.String(length=500), nullable=True),
    sa.Column('address_city', sa.String(length=255), nullable=True),
    sa.Column('address_state', sa.String(length=255), nullable=True),
    sa.Column('address_postal_code', sa.String(length=30), nullable=True),
    sa.Column('address_country', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_locations_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_locations_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_locations_tenant_id_external_id'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_locations_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['payments'] = op.create_table('payments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('amount', lbt.Money(), nullable=False),
    sa.Column('payment_date', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=50), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('applications', lbt.JSONText(), nullable=False),
    sa.Column('unapplied', lbt.Money(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_payments_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_payments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_payments_tenant_id_external_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_payments_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['purchase_orders'] = op.create_table('purchase_orders',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('vendor_id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=21), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=True),
    sa.Column('expected_date', sa.Date(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('lines', lbt.JSONText(), nullable=False),
    sa.Column('total', lbt.Money(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_purchase_orders_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_purchase_orders_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_purchase_orders_tenant_id_external_id'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_orders_tenant_updated', ['tenant_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_vendor_id'), ['vendor_id'], unique=False)

    record_tables['jobs'] = op.create_table('jobs',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('location_id', sa.String(length=40), nullable=True),
    sa.Column('number', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_jobs_customer_id_customers')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_jobs_location_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_jobs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_jobs_tenant_id_external_id'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_location_id'), ['location_id'], unique=False)
        batch_op.create_index('ix_jobs_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['bills'] = op.create_table('bills',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('vendor_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=True),
    sa.Column('number', sa.String(length=21), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('bill_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('lines', lbt.JSONText(), nullable=False),
    sa.Column('total', lbt.Money(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_bills_job_id_jobs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_bills_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_bills_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bills')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_bills_tenant_id_external_id'))
    )
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bills_job_id'), ['job_id'], unique=False)
        batch_op.create_index('ix_bills_tenant_updated', ['tenant_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bills_vendor_id'), ['vendor_id'], unique=False)

    record_tables['service_tickets'] = op.create_table('service_tickets',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('location_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=True),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('scheduled_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_service_tickets_customer_id_customers')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_service_tickets_job_id_jobs')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_service_tickets_location_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_tickets_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_tickets')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_service_tickets_tenant_id_external_id'))
    )
    with op.batch_alter_table('service_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_tickets_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_tickets_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_tickets_location_id'), ['location_id'], unique=False)
        batch_op.create_index('ix_service_tickets_tenant_updated', ['tenant_id', 'updated_at'], unique=False)

    record_tables['invoices'] = op.create_table('invoices',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lbt.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lbt.UTCDateTime(timezone=True), nullable=True),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=True),
    sa.Column('service_ticket_id', sa.String(length=40), nullable=True),
    sa.Column('location_id', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('doc_number', sa.String(length=21), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('lines', lbt.JSONText(), nullable=False),
    sa.Column('total', lbt.Money(), nullable=False),
    sa.Column('amount_paid', lbt.Money(), nullable=False),
    sa.Column('balance', lbt.Money(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_invoices_customer_id_customers')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_invoices_job_id_jobs')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_invoices_location_id_locations')),
    sa.ForeignKeyConstraint(['service_ticket_id'], ['service_tickets.id'], name=op.f('fk_invoices_service_ticket_id_service_tickets')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_invoices_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_invoices_tenant_id_external_id'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_service_ticket_id'), ['service_ticket_id'], unique=False)
        batch_op.create_index('ix_invoices_tenant_updated', ['tenant_id', 'updated_at'], unique=False)
    dialect = op.get_bind().dialect.name
    for name, table in record_tables.items():
        for statement in triggers.create_ddl(dialect, table, KINDS[name]):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in triggers.drop_ddl(dialect, KINDS):
        op.execute(statement)
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_tenant_updated')
        batch_op.drop_index(batch_op.f('ix_invoices_service_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_invoices_location_id'))
        batch_op.drop_index(batch_op.f('ix_invoices_job_id'))
        batch_op.drop_index(batch_op.f('ix_invoices_customer_id'))

    op.drop_table('invoices')
    with op.batch_alter_table('service_tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_service_tickets_tenant_updated')
        batch_op.drop_index(batch_op.f('ix_service_tickets_location_id'))
        batch_op.drop_index(batch_op.f('ix_service_tickets_job_id'))
        batch_op.drop_index(batch_op.f('ix_service_tickets_customer_id'))

    op.drop_table('service_tickets')
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bills_vendor_id'))
        batch_op.drop_index('ix_bills_tenant_updated')
        batch_op.drop_index(batch_op.f('ix_bills_job_id'))

    op.drop_table('bills')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_tenant_updated')
        batch_op.drop_index(batch_op.f('ix_jobs_location_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_customer_id'))

    op.drop_table('jobs')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_orders_vendor_id'))
        batch_op.drop_index('ix_purchase_orders_tenant_updated')

    op.drop_table('purchase_orders')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_tenant_updated')
        batch_op.drop_index(batch_op.f('ix_payments_customer_id'))

    op.drop_table('payments')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index('ix_locations_tenant_updated')
        batch_op.drop_index(batch_op.f('ix_locations_customer_id'))

    op.drop_table('locations')
    with op.batch_alter_table('work_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_work_codes_tenant_updated')

    op.drop_table('work_codes')
    with op.batch_alter_table('vendors', schema=None) as batch_op:
        batch_op.drop_index('ix_vendors_tenant_updated')

    op.drop_table('vendors')
    with op.batch_alter_table('inventory_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_parts_tenant_updated')

    op.drop_table('inventory_parts')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_tenant_updated')

    op.drop_table('customers')
    with op.batch_alter_table('cost_types', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_types_tenant_updated')

    op.drop_table('cost_types')
    with op.batch_alter_table('cost_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_codes_tenant_updated')

    op.drop_table('cost_codes')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_tenant_id'))

    op.drop_table('api_keys')
    op.drop_table('tenants')
    with op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.drop_index('ix_change_events_tenant_id_id')
        batch_op.drop_index('ix_change_events_record')

    op.drop_table('change_events')
