"""The transmission log's order: an index of operations by (connection, created_at, id).

Without it every page of a connection's log sorted all of its operations (a first full
sync of a large company stores 80,000), and paging through it grew with the square of
its size.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_operations_connection_created", "operations",
                    ["connection_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_operations_connection_created", table_name="operations")
