"""QuickBooks webhooks: check ``intuit-signature`` (base64 HMAC-SHA256 of the raw body with
the app's verifier token, compared in constant time), read either payload format (legacy
``eventNotifications`` or a CloudEvents array) and mark the realms' connections so the next
incremental run looks (CDC stays the truth; a webhook is only a trigger)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from ledgerbridge.errors import ConfigurationError, LedgerbridgeError
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.qbo.tables import connections

VERIFIER_ENV = "LEDGERBRIDGE_QBO_WEBHOOK_VERIFIER"


class BadSignatureError(LedgerbridgeError):
    code = "bad_signature"


def signature(body: bytes, verifier: str) -> str:
    return base64.b64encode(hmac.new(verifier.encode(), body, hashlib.sha256).digest()).decode()


def signed_by(body: bytes, header: str | None, verifier: str) -> bool:
    if not header or not verifier:
        return False
    return hmac.compare_digest(signature(body, verifier).encode(), header.strip().encode())


def realms_of(payload: Any) -> set[str]:
    """The realm ids a notification speaks of, in either format."""
    if isinstance(payload, dict):
        return {str(event.get("realmId")) for event in payload.get("eventNotifications", [])
                if isinstance(event, dict) and event.get("realmId")}
    if isinstance(payload, list):
        return {str(event.get("intuitaccountid")) for event in payload
                if isinstance(event, dict) and event.get("intuitaccountid")}
    return set()


def _verifiers(engine: Engine, box: SecretBox) -> dict[str, set[str]]:
    """verifier token -> ids of the connections that use it (None: any connection)."""
    found: dict[str, set[str]] = {}
    with engine.connect() as db:
        rows = db.execute(select(connections.c.id, connections.c.webhook_verifier_enc).where(
            connections.c.kind == "qbo", connections.c.webhook_verifier_enc.is_not(None)))
        for row in rows:
            try:
                verifier = box.open(row.webhook_verifier_enc)
            except ConfigurationError:  # sealed with another key: cannot be this one
                continue
            if verifier:
                found.setdefault(verifier, set()).add(row.id)
    return found


def receive(engine: Engine, box: SecretBox, body: bytes, header: str | None, *,
            now: datetime | None = None) -> int:
    """Mark the connections a signed notification concerns; how many were marked.
    Raises :class:`BadSignatureError` (the body is never logged or kept)."""
    allowed: set[str] | None = None
    env_verifier = os.environ.get(VERIFIER_ENV, "")
    if not signed_by(body, header, env_verifier):
        allowed = set()
        for verifier, ids in _verifiers(engine, box).items():
            if signed_by(body, header, verifier):
                allowed |= ids
        if not allowed:
            raise BadSignatureError("the intuit-signature header does not match this body")
    try:
        payload = json.loads(body)
    except ValueError:
        return 0
    with engine.begin() as db:
        marked = [cid for realm in realms_of(payload)
               for cid in store.connections_for_realm(db, realm)
               if allowed is None or cid in allowed]
        store.mark_changed(db, marked, now or datetime.now(UTC))
    return len(marked)
