"""Tenants and their API keys.

A key is shown once, at creation: ``lb_<prefix>_<secret>``. Only a SHA-256 hash of the
secret is stored; a request's key is found by its prefix and checked in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from ledgerbridge.book.ids import new_id
from ledgerbridge.book.tables import api_keys, tenants
from ledgerbridge.errors import ConflictError, NotFoundError, RecordRejectedError

KEY_PREFIX = "lb"


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_tenant(conn: Connection, name: str) -> Tenant:
    name = name.strip()
    if not name:
        raise RecordRejectedError("a tenant needs a name")
    taken = conn.execute(select(tenants.c.id).where(tenants.c.name == name)).scalar()
    if taken is not None:
        raise ConflictError(f"a tenant named '{name}' already exists ('{taken}')")
    tenant = Tenant(new_id("ten"), name)
    conn.execute(tenants.insert().values(id=tenant.id, name=name, created_at=datetime.now(UTC)))
    return tenant


def find_tenant(conn: Connection, name_or_id: str) -> Tenant:
    row = conn.execute(
        select(tenants.c.id, tenants.c.name).where(
            (tenants.c.id == name_or_id) | (tenants.c.name == name_or_id))
    ).first()
    if row is None:
        raise NotFoundError(f"no tenant is named '{name_or_id}' or has that id")
    return Tenant(row.id, row.name)


def list_tenants(conn: Connection) -> list[Tenant]:
    found = conn.execute(select(tenants.c.id, tenants.c.name).order_by(tenants.c.name))
    return [Tenant(row.id, row.name) for row in found]


def issue_api_key(conn: Connection, tenant_id: str, label: str = "") -> str:
    """A new API key for the tenant; the only time the full key exists."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    conn.execute(api_keys.insert().values(
        id=new_id("key"), tenant_id=tenant_id, prefix=prefix, secret_hash=_hash(secret),
        label=label, created_at=datetime.now(UTC)))
    return f"{KEY_PREFIX}_{prefix}_{secret}"


def tenant_for_key(conn: Connection, key: str) -> Tenant | None:
    """The tenant a key belongs to, or None for an unknown, malformed or revoked key."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    row = conn.execute(
        select(api_keys.c.secret_hash, api_keys.c.revoked_at, tenants.c.id, tenants.c.name)
        .join(tenants, tenants.c.id == api_keys.c.tenant_id)
        .where(api_keys.c.prefix == parts[1])
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(parts[2])):
        return None
    return Tenant(row.id, row.name)


def revoke_api_key(conn: Connection, key_prefix: str) -> None:
    result = conn.execute(api_keys.update().where(api_keys.c.prefix == key_prefix)
                          .values(revoked_at=datetime.now(UTC)))
    if result.rowcount == 0:
        raise NotFoundError(f"no API key starts with '{KEY_PREFIX}_{key_prefix}_'")
