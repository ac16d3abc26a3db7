"""Tables of host events and webhook subscriptions, on the shared metadata."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from ledgerbridge.book.tables import EventId, metadata
from ledgerbridge.book.types import JSONText, UTCDateTime

host_events = Table(
    "host_events",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("connection_id", String(40)),
    Column("type", String(40), nullable=False),
    Column("record_kind", String(40)),
    Column("record_id", String(40)),
    Column("remote_id", String(64)),
    Column("message", Text),
    Column("data", JSONText),
    Column("occurred_at", UTCDateTime, nullable=False),
    Index("ix_host_events_tenant_id_id", "tenant_id", "id"),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    Column("secret_enc", Text, nullable=False),
    Column("types", JSONText),
    Column("active", Boolean, nullable=False),
    Column("cursor", EventId, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("last_status", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
)
