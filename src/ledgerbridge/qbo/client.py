"""``QboClient``: what the sync engine needs from QuickBooks Online, and nothing about HTTP.

    client = QboClient.for_connection(engine, connection_id)     # or QboClient(...)
    results = await client.apply(operations)                      # list[Result], same order
    customers = await client.read_all("Customer")                 # every page, COUNT-checked
    rows, answers = await client.read_lists(["Customer", "Item"],  # several lists at once
                                            {"CompanyInfo": "SELECT * FROM CompanyInfo"})
    found = await client.find_by_names("Vendor", ["Acme Supply"]) # {name: record}
    changes = await client.changes_since(["Customer", "Invoice"], since)
    changed = await client.read_changed(["Invoice"], since,       # when CDC cannot:
                                        {"Invoice": ["12", "40"]}) # rows, ids gone

``read_all`` and ``read_lists`` go through batch calls (:mod:`ledgerbridge.qbo.batch_reads`):
the first asks every entity's COUNT and first page, plus the extra queries (``answers``
holds each one's ``QueryResponse`` by the name given); the pages still missing follow,
ten to a call, sent concurrently. Small lists and a company profile cost one call.

Calls share the realm's budget, are retried as :mod:`ledgerbridge.qbo.http` says, and
raise only ledgerbridge errors (``apply`` returns failures as data instead, except a lost
connection, which raises :class:`~ledgerbridge.errors.NeedsReconnectError`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from ledgerbridge.qbo import batch_reads, cdc, reads, writes
from ledgerbridge.qbo.budget import RealmBudget, Sleep
from ledgerbridge.qbo.cdc import ChangeSet
from ledgerbridge.qbo.connections import get_connection
from ledgerbridge.qbo.http import QboHttp, RetryPolicy, TokenSource
from ledgerbridge.qbo.operations import Operation, Result
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.qbo.tokens import StoredTokens
from ledgerbridge.qbo.wire import Wire


def _utcnow() -> datetime:
    return datetime.now(UTC)


class QboClient:
    def __init__(self, *, api_base: str, realm_id: str, tokens: TokenSource,
                 transport: httpx.AsyncBaseTransport | None = None,
                 budget: RealmBudget | None = None, timeout: float = 60.0,
                 retry: RetryPolicy | None = None, sleep: Sleep | None = None,
                 rng: random.Random | None = None,
                 now: Callable[[], datetime] = _utcnow, wire: Wire | None = None) -> None:
        self.realm_id = realm_id
        self.now = now
        self.http = QboHttp(api_base=api_base, realm_id=realm_id, tokens=tokens,
                            transport=transport, budget=budget, timeout=timeout, retry=retry,
                            sleep=sleep, rng=rng, wire=wire)

    @classmethod
    def for_connection(cls, engine: Engine, connection_id: str, *,
                       box: SecretBox | None = None,
                       transport: httpx.AsyncBaseTransport | None = None,
                       **options: Any) -> QboClient:
        """A client for a stored, connected connection (its tokens refresh themselves)."""
        with engine.connect() as db:
            connection = get_connection(db, None, connection_id)
        tokens = StoredTokens(engine, connection_id, box or SecretBox.from_environment(),
                              connection.endpoints, transport=transport)
        return cls(api_base=connection.api_base, realm_id=connection.realm_id or "",
                   tokens=tokens, transport=transport, **options)

    async def __aenter__(self) -> QboClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def apply(self, operations: Sequence[Operation], *,
                    keep: Collection[str] | None = None) -> list[Result]:
        """Create, update, delete or void: one Result per operation, in the order given.
        Operations in one call must not depend on each other (they may share a batch).
        ``keep``: the entity fields a Result's ``object`` needs (``Id``, ``SyncToken``...);
        QuickBooks answers with the whole entity, and the rest of it is then skipped
        unparsed (None: all of it, as answered)."""
        return await writes.apply(self.http, operations, keep)

    async def read_all(self, entity: str, since: datetime | None = None
                       ) -> list[dict[str, Any]]:
        """Every ``entity`` (changed since ``since``), inactive ones included."""
        return await batch_reads.read_all(self.http, entity, since)

    async def read_lists(self, entities: Sequence[str],
                         extra_queries: Mapping[str, str] | None = None
                         ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
        """``({entity: every row}, {name: QueryResponse})``: several whole lists (inactive
        rows included) and a few one-off queries, in as few batch calls as fit."""
        return await batch_reads.read_lists(self.http, entities, extra_queries)

    async def find_by_names(self, entity: str, names: Iterable[str],
                            field: str | None = None) -> dict[str, dict[str, Any]]:
        """``{name: record}`` for the names that exist (case-insensitive, inactive too)."""
        return await batch_reads.find_by_names(self.http, entity, names, field)

    async def find_by_names_many(self, names: Mapping[str, Iterable[str]]
                                 ) -> dict[str, dict[str, dict[str, Any]]]:
        """``find_by_names`` for several entities at once, in the same batch calls:
        ``{entity: {name: record}}``."""
        return await batch_reads.find_by_names_many(self.http, names)

    async def changes_since(self, entities: Sequence[str], since: datetime) -> ChangeSet:
        """What changed since ``since`` (CDC; read by query past 1000 objects)."""
        return await cdc.changes_since(self.http, list(entities), since, now=self.now())

    async def read_changed(self, entities: Sequence[str], since: datetime,
                           known: Mapping[str, Iterable[str]]) -> batch_reads.Changed:
        """Rows of ``entities`` changed since ``since``, read by query (when CDC cannot
        go back that far), and which ``known`` ids, by entity, QuickBooks no longer has
        (a query shows no deletions): in one round of batch calls, a second for the
        missing pages and the rows of 1000 ids among which some are gone."""
        return await batch_reads.read_changed(self.http, entities, since, known)

    async def get(self, entity: str, entity_id: str) -> dict[str, Any]:
        answer = await self.http.request("GET", f"{entity.lower()}/{entity_id}",
                                         entity=entity)
        found = reads.ok_body(answer, entity).get(entity)
        return found if isinstance(found, dict) else {}

    async def query(self, text: str) -> dict[str, Any]:
        """The ``QueryResponse`` of a query."""
        return await reads.query(self.http, text)
