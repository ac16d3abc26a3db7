"""Tables of QuickBooks connections, on the book's shared ``metadata``.

``connections`` serves QuickBooks Online now and QuickBooks Desktop later (``kind``).
Every secret column (``*_enc``) holds Fernet ciphertext, never plain text.
``oauth_states`` remembers the ``state`` of each authorization started, single use.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from ledgerbridge.book.tables import metadata
from ledgerbridge.book.types import UTCDateTime

connections = Table(
    "connections",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("name", String(200), nullable=False),
    Column("environment", String(20), nullable=False),
    Column("api_base", String(500), nullable=False),
    Column("oauth_base", String(500)),
    Column("client_id", String(200)),
    Column("client_secret_enc", Text),
    Column("webhook_verifier_enc", Text),
    Column("realm_id", String(40)),
    Column("company_name", String(500)),
    Column("status", String(20), nullable=False),
    Column("status_message", Text),
    Column("access_token_enc", Text),
    Column("refresh_token_enc", Text),
    Column("access_expires_at", UTCDateTime),
    Column("refresh_expires_at", UTCDateTime),
    Column("token_generation", Integer, nullable=False),
    Column("webhook_dirty", Boolean, nullable=False),
    Column("webhook_marked_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_connections_tenant_id_name", "tenant_id", "name", unique=True),
    Index("ix_connections_realm_id", "realm_id"),
)

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("connection_id", String(40), ForeignKey("connections.id", ondelete="CASCADE"),
           nullable=False),
    Column("redirect_uri", String(1000), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_oauth_states_connection_id", "connection_id"),
)
