"""Change notifications to apps: signed with ``intuit-signature``, legacy or CloudEvents,
retried on failure."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from .clock import SandboxClock
from .state import App, SandboxState

JSON = dict[str, Any]
VERBS = {"Create": "created", "Update": "updated", "Delete": "deleted", "Void": "voided",
         "Merge": "merged"}


@dataclass(frozen=True)
class Change:
    realm_id: str
    entity: str
    record_id: str
    operation: str
    when: str


def sign(body: bytes, verifier_token: str) -> str:
    """``intuit-signature``: base64 of HMAC-SHA256 of the raw body with the verifier token."""
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def legacy_body(changes: list[Change]) -> Any:
    by_realm: dict[str, list[JSON]] = {}
    for change in changes:
        by_realm.setdefault(change.realm_id, []).append(
            {"name": change.entity, "id": change.record_id, "operation": change.operation,
             "lastUpdated": change.when})
    return {"eventNotifications": [
        {"realmId": realm, "dataChangeEvent": {"entities": entities}}
        for realm, entities in by_realm.items()]}


def cloudevents_body(changes: list[Change]) -> Any:
    return [{"specversion": "1.0", "id": str(uuid.uuid4()),
             "source": "intuit.sandbox.ledgerbridge",
             "type": f"qbo.{c.entity.lower()}.{VERBS.get(c.operation, 'updated')}.v1",
             "datacontenttype": "application/json", "time": c.when,
             "intuitentityid": c.record_id, "intuitaccountid": c.realm_id, "data": {}}
            for c in changes]


class WebhookDispatcher:
    """Collects changes and delivers them to every connected app with a webhook URL."""

    def __init__(self, state: SandboxState, clock: SandboxClock,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.state = state
        self.clock = clock
        self.transport = transport
        self.pending: list[Change] = []
        self.deliveries: list[JSON] = []
        self._lock = asyncio.Lock()

    def enqueue(self, realm_id: str, changes: list[tuple[str, str, str]]) -> None:
        when = self.clock.response_time()
        self.pending.extend(Change(realm_id, e, i, op, when) for e, i, op in changes)

    def _targets(self, realm_id: str) -> list[App]:
        connected = {t.client_id for t in self.state.tokens.values()
                     if t.realm_id == realm_id and not t.revoked}
        return [app for app in self.state.apps.values()
                if app.webhook_url and app.client_id in connected]

    async def flush(self) -> list[JSON]:
        """Deliver everything pending now; returns the delivery records made."""
        async with self._lock:
            changes, self.pending = self.pending, []
            made: list[JSON] = []
            by_realm: dict[str, list[Change]] = {}
            for change in changes:
                by_realm.setdefault(change.realm_id, []).append(change)
            due = [(app, group) for realm_id, group in by_realm.items()
                   for app in self._targets(realm_id)]
            if not due:  # no app listens: no client (making one costs an SSL context)
                return made
            async with httpx.AsyncClient(transport=self.transport, timeout=3.0) as client:
                for app, group in due:
                    made.append(await self._deliver(client, app, group))
            self.deliveries.extend(made)
            return made

    async def _deliver(self, client: httpx.AsyncClient, app: App, changes: list[Change],
                       ) -> JSON:
        payload = cloudevents_body(changes) if app.webhook_format == "cloudevents" else (
            legacy_body(changes))
        body = json.dumps(payload).encode()
        headers = {"content-type": "application/json",
                   "intuit-signature": sign(body, app.verifier_token or "")}
        attempts: list[JSON] = []
        for attempt in range(max(1, self.state.settings.webhook_attempts)):
            status, error = await self._post(client, str(app.webhook_url), body, headers)
            attempts.append({"status": status, "error": error})
            if status is not None and 200 <= status < 300:
                break
            await asyncio.sleep(self._backoff(attempt))
        return {"client_id": app.client_id, "url": app.webhook_url,
                "format": app.webhook_format, "body": payload, "attempts": attempts,
                "delivered": attempts[-1]["status"] is not None
                and 200 <= attempts[-1]["status"] < 300}

    def _backoff(self, attempt: int) -> float:
        settings = self.state.settings
        return float(settings.webhook_backoff_s * (2**attempt) / max(settings.time_scale, 1e-9))

    @staticmethod
    async def _post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str],
                    ) -> tuple[int | None, str | None]:
        try:
            response = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        return response.status_code, None
