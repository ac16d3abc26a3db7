"""Webhook subscriptions: host events POSTed to the host app, signed with HMAC-SHA256.

Each delivery carries ``X-Ledgerbridge-Signature: t=<unix time>,v1=<hex>`` where
``hex = HMAC_SHA256(secret, f"{t}.{body}")``; a receiver recomputes it with the secret
it was given at subscription time and rejects old timestamps. Delivery resumes from the
last event the subscriber accepted (2xx), so nothing is skipped."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, delete, select

from ledgerbridge.book.ids import new_id
from ledgerbridge.errors import NotFoundError, RecordRejectedError
from ledgerbridge.hostevents import store
from ledgerbridge.hostevents.tables import host_events, webhook_subscriptions
from ledgerbridge.qbo.secrets import SecretBox

SIGNATURE_HEADER = "X-Ledgerbridge-Signature"
BATCH = 100


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, now: float | None = None,
           tolerance: float = 300) -> bool:
    """What a receiver does: check the signature and that it is recent."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    types: list[str] | None
    active: bool
    cursor: int
    failures: int
    last_status: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "types": self.types, "active": self.active,
                "delivered_through": self.cursor, "failures": self.failures,
                "last_status": self.last_status}


def _subscription(row: Any) -> Subscription:
    return Subscription(row.id, row.url, row.types, row.active, int(row.cursor),
                        int(row.failures), row.last_status)


def subscribe(conn: Connection, box: SecretBox, tenant_id: str, url: str,
              types: list[str] | None = None, from_start: bool = False
              ) -> tuple[Subscription, str]:
    """A new subscription and its signing secret (shown only now)."""
    if not url.startswith(("https://", "http://")):
        raise RecordRejectedError("the webhook URL must start with https:// (or http://)")
    secret = "whsec_" + secrets.token_urlsafe(32)
    cursor = 0 if from_start else _last_event(conn, tenant_id)
    sub_id = new_id("whk")
    conn.execute(webhook_subscriptions.insert().values(
        id=sub_id, tenant_id=tenant_id, url=url, secret_enc=box.seal(secret), types=types,
        active=True, cursor=cursor, failures=0, created_at=datetime.now(UTC)))
    return get(conn, tenant_id, sub_id), secret


def _last_event(conn: Connection, tenant_id: str) -> int:
    found = conn.execute(
        select(host_events.c.id).where(host_events.c.tenant_id == tenant_id)
        .order_by(host_events.c.id.desc()).limit(1)).scalar()
    return int(found or 0)


def get(conn: Connection, tenant_id: str, sub_id: str) -> Subscription:
    row = conn.execute(select(webhook_subscriptions).where(
        webhook_subscriptions.c.id == sub_id,
        webhook_subscriptions.c.tenant_id == tenant_id)).first()
    if row is None:
        raise NotFoundError(f"no webhook subscription '{sub_id}'")
    return _subscription(row)


def list_all(conn: Connection, tenant_id: str) -> list[Subscription]:
    rows = conn.execute(select(webhook_subscriptions).where(
        webhook_subscriptions.c.tenant_id == tenant_id).order_by(webhook_subscriptions.c.id))
    return [_subscription(row) for row in rows]


def unsubscribe(conn: Connection, tenant_id: str, sub_id: str) -> None:
    get(conn, tenant_id, sub_id)
    conn.execute(delete(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id))


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


async def deliver(engine: Engine, box: SecretBox, tenant_id: str,
                  transport: httpx.AsyncBaseTransport | None = None) -> dict[str, int]:
    """Send every subscription the events it has not accepted yet; sub id -> sent."""
    with engine.connect() as conn:
        subs = [(s, box.open(conn.execute(select(webhook_subscriptions.c.secret_enc).where(
            webhook_subscriptions.c.id == s.id)).scalar()))
                for s in list_all(conn, tenant_id) if s.active]
    sent: dict[str, int] = {}
    async with httpx.AsyncClient(transport=transport, timeout=10) as http:
        for sub, secret in subs:
            sent[sub.id] = await _deliver_one(engine, http, tenant_id, sub, secret or "")
    return sent


async def _deliver_one(engine: Engine, http: httpx.AsyncClient, tenant_id: str,
                       sub: Subscription, secret: str) -> int:
    cursor, sent = sub.cursor, 0
    while True:
        with engine.connect() as conn:
            events = store.read(conn, tenant_id, cursor, BATCH, sub.types)
        if not events:
            return sent
        body = json.dumps({"events": events}, default=_json).encode()
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(secret, body, int(time.time()))}
        try:
            response = await http.post(sub.url, content=body, headers=headers)
            status = f"HTTP {response.status_code}"
            ok = response.is_success
        except httpx.HTTPError as exc:
            status, ok = f"{type(exc).__name__}", False
        _record(engine, sub.id, events[-1]["id"] if ok else cursor, ok, status)
        if not ok:
            return sent
        cursor, sent = events[-1]["id"], sent + len(events)


def _record(engine: Engine, sub_id: str, cursor: int, ok: bool, status: str) -> None:
    table = webhook_subscriptions
    with engine.begin() as conn:
        failures = 0 if ok else table.c.failures + 1
        conn.execute(table.update().where(table.c.id == sub_id).values(
            cursor=cursor, failures=failures, last_status=status))
