"""The book's tables. Every record table shares the columns of ``_record_columns``;
documents keep their lines as canonical JSON in the row, so a document and its lines
change together, in one row, under one version and one change event."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ledgerbridge.book.types import ISODate, JSONText, Money, Quantity, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

EventId = BigInteger().with_variant(Integer, "sqlite")

tenants = Table(
    "tenants",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

change_events = Table(
    "change_events",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column("tenant_id", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("record_id", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("op", String(10), nullable=False),
    Column("fields", Text, nullable=False),
    Column("origin", String(40), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Index("ix_change_events_tenant_id_id", "tenant_id", "id"),
    Index("ix_change_events_record", "kind", "record_id"),
)

ORIGINS = ("api", "import", "quickbooks", "sample", "engine")


def _record_columns() -> list[Column[object]]:
    return [
        Column("id", String(40), primary_key=True),
        Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
        Column("external_id", String(200)),
        Column("version", Integer, nullable=False),
        Column("origin", String(40), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Column("deleted_at", UTCDateTime),
    ]


def _address(prefix: str) -> list[Column[object]]:
    return [
        Column(f"{prefix}_line1", String(500)),
        Column(f"{prefix}_line2", String(500)),
        Column(f"{prefix}_city", String(255)),
        Column(f"{prefix}_state", String(255)),
        Column(f"{prefix}_postal_code", String(30)),
        Column(f"{prefix}_country", String(255)),
    ]


def _ref(name: str, table: str, nullable: bool = True) -> Column[object]:
    return Column(name, String(40), ForeignKey(f"{table}.id"), nullable=nullable, index=True)


def record_table(name: str, *columns: Column[object]) -> Table:
    return Table(
        name,
        metadata,
        *_record_columns(),
        *columns,
        UniqueConstraint("tenant_id", "external_id"),
        Index(f"ix_{name}_tenant_updated", "tenant_id", "updated_at"),
        # pages of a tenant's records in id order (keyset): a seek, not a sort per page
        Index(f"ix_{name}_tenant_id_id", "tenant_id", "id"),
    )


customers = record_table(
    "customers",
    Column("company_name", String(500), nullable=False),
    Column("contact_name", String(500)),
    Column("email", String(320)),
    Column("phone", String(50)),
    *_address("billing_address"),
    Column("active", Boolean, nullable=False),
    Column("taxable", Boolean, nullable=False),
    Column("notes", Text),
)

locations = record_table(
    "locations",
    _ref("customer_id", "customers", nullable=False),
    Column("name", String(500), nullable=False),
    *_address("address"),
    Column("active", Boolean, nullable=False),
)

jobs = record_table(
    "jobs",
    _ref("customer_id", "customers", nullable=False),
    _ref("location_id", "locations"),
    Column("number", String(100)),
    Column("name", String(500), nullable=False),
    Column("status", String(20), nullable=False),
    Column("start_date", ISODate),
    Column("end_date", ISODate),
    Column("description", Text),
)

service_tickets = record_table(
    "service_tickets",
    _ref("customer_id", "customers", nullable=False),
    _ref("location_id", "locations", nullable=False),
    _ref("job_id", "jobs"),
    Column("number", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("summary", Text),
    Column("scheduled_date", ISODate),
)

work_codes = record_table(
    "work_codes",
    Column("name", String(100), nullable=False),
    Column("description", Text),
    Column("rate", Money),
    Column("item_kind", String(20), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("taxable", Boolean, nullable=False),
)

cost_codes = record_table(
    "cost_codes",
    Column("code", String(50)),
    Column("name", String(100), nullable=False),
    Column("description", Text),
    Column("active", Boolean, nullable=False),
)

cost_types = record_table(
    "cost_types",
    Column("name", String(100), nullable=False),
    Column("description", Text),
    Column("active", Boolean, nullable=False),
)

vendors = record_table(
    "vendors",
    Column("company_name", String(500), nullable=False),
    Column("contact_name", String(500)),
    Column("email", String(320)),
    Column("phone", String(50)),
    *_address("address"),
    Column("active", Boolean, nullable=False),
    Column("notes", Text),
)

inventory_parts = record_table(
    "inventory_parts",
    Column("name", String(100), nullable=False),
    Column("sku", String(100)),
    Column("description", Text),
    Column("quantity_on_hand", Quantity, nullable=False),
    Column("cost", Money),
    Column("price", Money),
    Column("active", Boolean, nullable=False),
)

invoices = record_table(
    "invoices",
    _ref("customer_id", "customers", nullable=False),
    _ref("job_id", "jobs"),
    _ref("service_ticket_id", "service_tickets"),
    _ref("location_id", "locations"),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("doc_number", String(21)),
    Column("issue_date", ISODate),
    Column("due_date", ISODate),
    Column("memo", Text),
    Column("lines", JSONText, nullable=False),
    Column("total", Money, nullable=False),
    Column("amount_paid", Money, nullable=False),
    Column("balance", Money, nullable=False),
)

payments = record_table(
    "payments",
    _ref("customer_id", "customers", nullable=False),
    Column("amount", Money, nullable=False),
    Column("payment_date", ISODate, nullable=False),
    Column("method", String(50)),
    Column("reference", String(100)),
    Column("memo", Text),
    Column("applications", JSONText, nullable=False),
    Column("unapplied", Money, nullable=False),
)

purchase_orders = record_table(
    "purchase_orders",
    _ref("vendor_id", "vendors", nullable=False),
    Column("number", String(21)),
    Column("status", String(20), nullable=False),
    Column("order_date", ISODate),
    Column("expected_date", ISODate),
    Column("memo", Text),
    Column("lines", JSONText, nullable=False),
    Column("total", Money, nullable=False),
)

bills = record_table(
    "bills",
    _ref("vendor_id", "vendors", nullable=False),
    _ref("job_id", "jobs"),
    Column("number", String(21)),
    Column("status", String(20), nullable=False),
    Column("bill_date", ISODate),
    Column("due_date", ISODate),
    Column("memo", Text),
    Column("lines", JSONText, nullable=False),
    Column("total", Money, nullable=False),
)

RECORD_TABLES: tuple[Table, ...] = (
    customers,
    locations,
    jobs,
    service_tickets,
    work_codes,
    cost_codes,
    cost_types,
    vendors,
    inventory_parts,
    invoices,
    payments,
    purchase_orders,
    bills,
)
