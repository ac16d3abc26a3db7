"""book pages in id order: an index on (tenant_id, id) for every record table

Without it a page of a tenant's records (``id > cursor ORDER BY id``) sorted every record
of the tenant, so reading a whole kind page by page grew with the square of its size.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ("customers", "locations", "jobs", "service_tickets", "work_codes", "cost_codes",
          "cost_types", "vendors", "inventory_parts", "invoices", "payments",
          "purchase_orders", "bills")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_tenant_id_id", table, ["tenant_id", "id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_tenant_id_id", table_name=table)
