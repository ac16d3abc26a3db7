"""QuickBooks connections of a tenant: what they point at, their status, their secrets.

Rows live in ``connections``; every secret is sealed with :class:`SecretBox` before it is
written. :class:`Connection` is the public view (safe to show and log); secrets only ever
travel in :class:`Credentials`, whose fields never appear in a ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection as DbConnection
from sqlalchemy import Row, select

from ledgerbridge.book.ids import new_id
from ledgerbridge.errors import ConflictError, NotFoundError
from ledgerbridge.qbo.environments import Endpoints, endpoints_for
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.qbo.tables import connections

PENDING, CONNECTED, NEEDS_RECONNECT, DISCONNECTED = (
    "pending", "connected", "needs_reconnect", "disconnected")
STATUSES = (PENDING, CONNECTED, NEEDS_RECONNECT, DISCONNECTED)


@dataclass(frozen=True)
class Connection:
    """A connection as anyone may see it: no tokens, no client secret."""

    id: str
    tenant_id: str
    kind: str
    name: str
    environment: str
    api_base: str
    oauth_base: str | None
    client_id: str | None
    realm_id: str | None
    company_name: str | None
    status: str
    status_message: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    webhook_dirty: bool
    webhook_marked_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def endpoints(self) -> Endpoints:
        return endpoints_for(self.environment, self.oauth_base)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Credentials:
    """A connection's secrets, decrypted; held briefly, never logged."""

    client_id: str
    client_secret: str = field(repr=False)
    access_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    generation: int
    status: str
    status_message: str | None


@dataclass(frozen=True)
class NewTokens:
    """What a token endpoint answered."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime | None


def _public(row: Row[Any]) -> Connection:
    values = {name: getattr(row, name) for name in Connection.__dataclass_fields__}
    return Connection(**values)


def create_connection(db: DbConnection, box: SecretBox, tenant_id: str, *, name: str,
                      endpoints: Endpoints, client_id: str, client_secret: str,
                      webhook_verifier: str | None = None, kind: str = "qbo") -> Connection:
    """A new connection, ``pending`` until its authorization completes."""
    taken = db.execute(select(connections.c.id).where(
        connections.c.tenant_id == tenant_id, connections.c.name == name)).scalar()
    if taken is not None:
        raise ConflictError(f"a connection named '{name}' already exists ({taken}); choose "
                            "another --name or remove that one")
    now = datetime.now(UTC)
    new = new_id("con")
    db.execute(connections.insert().values(
        id=new, tenant_id=tenant_id, kind=kind, name=name,
        environment=endpoints.environment, api_base=endpoints.api_base,
        oauth_base=endpoints.oauth_base, client_id=client_id,
        client_secret_enc=box.seal(client_secret),
        webhook_verifier_enc=box.seal(webhook_verifier), status=PENDING,
        status_message="waiting for the QuickBooks authorization to complete",
        token_generation=0, webhook_dirty=False, created_at=now, updated_at=now))
    return get_connection(db, tenant_id, new)


def _select(tenant_id: str | None, connection_id: str | None = None) -> Any:
    query = select(connections)
    if tenant_id is not None:
        query = query.where(connections.c.tenant_id == tenant_id)
    if connection_id is not None:
        query = query.where(connections.c.id == connection_id)
    return query


def get_connection(db: DbConnection, tenant_id: str | None, connection_id: str
                   ) -> Connection:
    """One connection; ``tenant_id`` None only for internal callers (webhooks, workers)."""
    row = db.execute(_select(tenant_id, connection_id)).first()
    if row is None:
        raise NotFoundError(f"no connection '{connection_id}' for this tenant")
    return _public(row)


def list_connections(db: DbConnection, tenant_id: str) -> list[Connection]:
    rows = db.execute(_select(tenant_id).order_by(connections.c.created_at))
    return [_public(row) for row in rows]


def credentials_of(db: DbConnection, box: SecretBox, connection_id: str, *,
                   for_update: bool = False) -> Credentials:
    """The decrypted secrets (``for_update`` locks the row on PostgreSQL)."""
    query = select(connections).where(connections.c.id == connection_id)
    if for_update and db.dialect.name == "postgresql":
        query = query.with_for_update()
    row = db.execute(query).first()
    if row is None:
        raise NotFoundError(f"no connection '{connection_id}'")
    return Credentials(
        client_id=row.client_id or "", client_secret=box.open(row.client_secret_enc) or "",
        access_token=box.open(row.access_token_enc),
        refresh_token=box.open(row.refresh_token_enc),
        access_expires_at=row.access_expires_at, refresh_expires_at=row.refresh_expires_at,
        generation=row.token_generation, status=row.status,
        status_message=row.status_message)


def webhook_verifier(db: DbConnection, box: SecretBox, connection_id: str) -> str | None:
    row = db.execute(select(connections.c.webhook_verifier_enc)
                     .where(connections.c.id == connection_id)).first()
    return None if row is None else box.open(row.webhook_verifier_enc)


def store_tokens(db: DbConnection, box: SecretBox, connection_id: str, tokens: NewTokens,
                 *, realm_id: str | None = None, company_name: str | None = None) -> int:
    """Keep new tokens (both at once), mark the connection connected; the new generation."""
    current = db.execute(select(connections.c.token_generation)
                         .where(connections.c.id == connection_id)).scalar_one()
    values: dict[str, Any] = {
        "access_token_enc": box.seal(tokens.access_token),
        "refresh_token_enc": box.seal(tokens.refresh_token),
        "access_expires_at": tokens.access_expires_at,
        "refresh_expires_at": tokens.refresh_expires_at,
        "token_generation": current + 1, "status": CONNECTED, "status_message": None,
        "updated_at": datetime.now(UTC)}
    if realm_id is not None:
        values["realm_id"] = realm_id
    if company_name is not None:
        values["company_name"] = company_name
    db.execute(connections.update().where(connections.c.id == connection_id).values(**values))
    return int(current + 1)


def set_status(db: DbConnection, connection_id: str, status: str, message: str | None,
               *, forget_tokens: bool = False) -> None:
    assert status in STATUSES
    values: dict[str, Any] = {"status": status, "status_message": message,
                              "updated_at": datetime.now(UTC)}
    if forget_tokens:
        values.update(access_token_enc=None, refresh_token_enc=None, access_expires_at=None,
                      refresh_expires_at=None)
    db.execute(connections.update().where(connections.c.id == connection_id).values(**values))


def set_company_name(db: DbConnection, connection_id: str, company_name: str) -> None:
    db.execute(connections.update().where(connections.c.id == connection_id)
               .values(company_name=company_name, updated_at=datetime.now(UTC)))


def delete_connection(db: DbConnection, tenant_id: str, connection_id: str) -> None:
    from ledgerbridge.qbo.tables import oauth_states

    get_connection(db, tenant_id, connection_id)
    db.execute(oauth_states.delete().where(oauth_states.c.connection_id == connection_id))
    db.execute(connections.delete().where(connections.c.id == connection_id))


def connections_for_realm(db: DbConnection, realm_id: str) -> list[str]:
    """Ids of the QuickBooks Online connections to ``realm_id`` (any tenant)."""
    rows = db.execute(select(connections.c.id).where(
        connections.c.realm_id == realm_id, connections.c.kind == "qbo"))
    return [row.id for row in rows]


def mark_changed(db: DbConnection, connection_ids: list[str], when: datetime) -> None:
    """A webhook said something changed: the next incremental run should look."""
    if connection_ids:
        db.execute(connections.update().where(connections.c.id.in_(connection_ids))
                   .values(webhook_dirty=True, webhook_marked_at=when))


def clear_changed(db: DbConnection, connection_id: str, seen_at: datetime) -> None:
    """The incremental run that started at ``seen_at`` has looked; later marks stay."""
    db.execute(connections.update().where(
        connections.c.id == connection_id, connections.c.webhook_marked_at <= seen_at)
        .values(webhook_dirty=False))
