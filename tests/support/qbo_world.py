"""For engine tests: an in-process QuickBooks Online sandbox, a real stored connection to
it, and the engine's runner over the real QBO client."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import httpx
from sqlalchemy import Engine

from ledgerbridge.book.store import Book
from ledgerbridge.engine.links import Link, LinkStore
from ledgerbridge.engine.runner import Mode, RunReport, SyncRunner
from ledgerbridge.ledgers.qbo.ledger import QboLedger
from ledgerbridge.qbo import local_sandbox
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.http import RetryPolicy
from ledgerbridge.qbo.operations import Operation
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.sandbox.qbo import create_app
from ledgerbridge.settings import store as settings_store

BASE = "http://qbo.test"
_writes = itertools.count()


def is_write(request: httpx.Request) -> bool:
    """A QuickBooks call that writes (a batch of queries or a query reads)."""
    path = request.url.path
    return request.method == "POST" and "/v3/company/" in path \
        and not path.endswith("/query") and b'"Query"' not in request.content


class WritesUnavailable(httpx.AsyncBaseTransport):
    """QuickBooks answering every write with 503; reads go through as they are."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if is_write(request):
            self.refused += 1
            return httpx.Response(503, json={"Fault": {"Error": [
                {"Message": "Service Unavailable", "code": "503"}], "type": "SERVICE"}})
        return await self.inner.handle_async_request(request)


class AnswersLost(httpx.AsyncBaseTransport):
    """Every write reaches QuickBooks and is carried out, but its answer is lost on the
    way back (a gateway's 502); reads go through as they are."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if is_write(request):
            self.lost += 1
            return httpx.Response(502, text="Bad Gateway")
        return answer


@dataclass
class World:
    engine: Engine
    tenant_id: str
    connection_id: str
    realm: str
    admin: httpx.AsyncClient
    client: QboClient
    transport: httpx.AsyncBaseTransport | None = None

    def runner(self) -> SyncRunner:
        return SyncRunner(self.engine, self.tenant_id, self.connection_id,
                          QboLedger(self.client))

    async def sync(self, mode: Mode = "daily", dry_run: bool = False,
                   push: Sequence[tuple[str, str]] = ()) -> RunReport:
        return await self.runner().run(mode, dry_run, push)

    async def records(self, entity: str) -> list[dict[str, Any]]:
        response = await self.admin.get(f"/sandbox/companies/{self.realm}/records/{entity}")
        response.raise_for_status()
        return list(response.json()["records"])

    async def seed(self, entities: dict[str, list[dict[str, Any]]], mode: str = "raw"
                   ) -> dict[str, list[str]]:
        """Records that exist in QuickBooks before the engine's first run (``raw``: stored
        as given; ``create``: through QuickBooks' rules)."""
        response = await self.admin.post(f"/sandbox/companies/{self.realm}/seed",
                                         params={"mode": mode}, json=entities)
        response.raise_for_status()
        return dict(response.json())

    async def calls(self) -> int:
        stats = (await self.admin.get("/sandbox/stats")).json()
        return int(stats["total_calls"])

    async def qb(self, entity: str, body: dict[str, Any], action: str = "create"
                 ) -> dict[str, Any]:
        """A change a person makes in QuickBooks (through the API, so QuickBooks' rules,
        balances and change data capture all apply); the entity as QuickBooks answered."""
        op = Operation(f"person-{next(_writes)}", action, entity, body)  # type: ignore[arg-type]
        result = (await self.client.apply([op]))[0]
        assert result.ok, result.error
        return dict(result.object or {})

    async def get(self, entity: str, entity_id: str) -> dict[str, Any]:
        return await self.client.get(entity, entity_id)

    async def by_name(self, entity: str) -> dict[str, dict[str, Any]]:
        """Every live record of ``entity`` by DisplayName (names), Name (items, classes)
        or DocNumber (transactions)."""
        found = {}
        for record in await self.records(entity):
            key = record.get("DisplayName") or record.get("Name") or record.get("DocNumber")
            found[str(key)] = record
        return found

    async def push_while_down(self, key: tuple[str, str]) -> RunReport:
        """Push ``key`` while QuickBooks refuses every write (a passing outage), with a
        client that gives up on the first refusal."""
        assert self.transport is not None
        down = WritesUnavailable(self.transport)
        report = await self.sync_over(down, "push", push=[key])
        assert down.refused >= 1
        return report

    async def sync_over(self, transport: httpx.AsyncBaseTransport, mode: Mode = "daily",
                        push: Sequence[tuple[str, str]] = ()) -> RunReport:
        """A sync through ``transport`` (wrapping the sandbox's), with a client that gives
        up on the first failure."""
        client = QboClient.for_connection(self.engine, self.connection_id,
                                          transport=transport, retry=RetryPolicy(attempts=1))
        try:
            return await SyncRunner(self.engine, self.tenant_id, self.connection_id,
                                    QboLedger(client)).run(mode, push=push)
        finally:
            await client.aclose()

    def link(self, kind: str, record_id: str) -> Link | None:
        with self.engine.connect() as conn:
            return LinkStore(conn, self.connection_id).get(kind, record_id)

    def remote_id(self, kind: str, record_id: str) -> str:
        """The QuickBooks id the book record is linked to (it must be linked)."""
        link = self.link(kind, record_id)
        assert link is not None, f"{kind} {record_id} is not linked"
        return link.remote_id

    def settings(self, **groups: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            settings_store.update(conn, self.connection_id, groups)

    def book(self, write: bool = True) -> Any:
        return _BookSession(self.engine, self.tenant_id)


class _BookSession:
    def __init__(self, engine: Engine, tenant_id: str) -> None:
        self.engine, self.tenant_id = engine, tenant_id

    def __enter__(self) -> Book:
        self._ctx = self.engine.begin()
        return Book(self._ctx.__enter__(), self.tenant_id)

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)


async def make_world(engine: Engine, tenant_id: str, preferences: dict[str, Any] | None = None,
                     tax_agency: str | None = "California", country: str = "US",
                     go_live: date | Literal["connection date"] | None = None
                     ) -> AsyncIterator[World]:
    """``go_live``: none (every record goes, whatever its date: the tests date records
    freely), a date, or the connection date a new connection starts with."""
    sandbox = create_app()
    transport = httpx.ASGITransport(app=sandbox)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as admin:
        company: dict[str, Any] = {"name": "Test Heating Co", "country": country,
                                   "preferences": preferences or {
                                       "class_tracking_per_line": True}}
        if tax_agency:
            company["tax_agency"] = tax_agency
        realm = (await admin.post("/sandbox/companies", json=company)).json()["realm_id"]
        box = SecretBox.from_environment()
        given = {"go_live_date": go_live} if isinstance(go_live, date) else {}
        connection = await local_sandbox.connect(
            engine, box, tenant_id, BASE, name="qbo", realm_id=realm, transport=transport,
            **given)
        if go_live is None:
            with engine.begin() as conn:
                settings_store.update(conn, connection.id, {"connection": {
                    "go_live_date": None}})
        client = QboClient.for_connection(engine, connection.id, box=box, transport=transport)
        try:
            yield World(engine, tenant_id, connection.id, realm, admin, client, transport)
        finally:
            await client.aclose()


