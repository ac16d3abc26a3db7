"""The engine's own tables: settings, mappings, links, operations (the transmission
log), runs and per-connection sync state. All on the book's shared metadata."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ledgerbridge.book.tables import EventId, metadata
from ledgerbridge.book.types import JSONText, UTCDateTime

_CONNECTION = "connections.id"

sync_settings = Table(
    "sync_settings",
    metadata,
    Column("connection_id", String(40), ForeignKey(_CONNECTION), primary_key=True),
    Column("settings", JSONText, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

mappings = Table(
    "mappings",
    metadata,
    Column("connection_id", String(40), ForeignKey(_CONNECTION), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("local_id", String(40), nullable=False),
    Column("remote_id", String(64), nullable=False),
    Column("remote_name", String(500)),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("connection_id", "kind", "local_id"),
)

links = Table(
    "links",
    metadata,
    Column("connection_id", String(40), ForeignKey(_CONNECTION), nullable=False),
    Column("record_kind", String(40), nullable=False),
    Column("record_id", String(40), nullable=False),
    Column("remote_kind", String(40), nullable=False),
    Column("remote_id", String(64), nullable=False),
    Column("remote_version", String(64)),
    Column("remote_name", String(500)),
    Column("sent_hash", String(64)),
    Column("record_version", Integer),
    Column("how", String(20), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("connection_id", "record_kind", "record_id"),
    UniqueConstraint("connection_id", "remote_kind", "remote_id"),
)

operations = Table(
    "operations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("connection_id", String(40), ForeignKey(_CONNECTION), nullable=False),
    Column("run_id", String(40)),
    Column("direction", String(10), nullable=False),
    Column("record_kind", String(40), nullable=False),
    Column("record_id", String(40), nullable=False),
    Column("record_version", Integer, nullable=False),
    Column("action", String(10), nullable=False),
    Column("remote_kind", String(40), nullable=False),
    Column("remote_id", String(64)),
    Column("payload", JSONText, nullable=False),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error_code", String(40)),
    Column("error_action", String(20)),
    Column("message", Text),
    Column("raw_error", Text),
    Column("blocked_by", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_operations_connection_state", "connection_id", "state"),
    Index("ix_operations_record", "connection_id", "record_kind", "record_id"),
    # the transmission log's order (newest first), read page by page
    Index("ix_operations_connection_created", "connection_id", "created_at", "id"),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("connection_id", String(40), ForeignKey(_CONNECTION), nullable=False, index=True),
    Column("mode", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("feed_from", EventId),
    Column("feed_to", EventId),
    Column("changes_from", UTCDateTime),
    Column("changes_to", UTCDateTime),
    Column("summary", JSONText),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("connection_id", String(40), ForeignKey(_CONNECTION), primary_key=True),
    Column("feed_cursor", EventId, nullable=False),
    Column("changes_watermark", UTCDateTime),
    Column("last_full_sync_at", UTCDateTime),
    Column("last_run_at", UTCDateTime),
    Column("profile", JSONText),
)
