"""Change data capture: everything changed since a moment, complete even past 1000.

QuickBooks answers at most 1000 objects per CDC call (shared by the entities asked) and
looks at most 30 days back. An answer that reaches 1000 may be cut short, and CDC cannot
be asked for part of a window (it has a start and no end) nor for the objects it left
out, so the entities asked are then read by query instead, each changed object once:
``MetaData.LastUpdatedTime >=`` the start, inactive names included, pages of 1000 by Id
checked against COUNT, every entity's COUNT and first page in one batch call, then the
missing pages ten to a call (:func:`ledgerbridge.qbo.batch_reads.read_changed`). Queries
do not return deleted transactions, so the entities that can be deleted are listed in
``deletions_unseen`` (their adds and changes are all there; names are made inactive,
never deleted, which the query shows). Asking CDC again entity by entity, or for a later
part of the window, would re-read up to 1000 objects a call and still leave the earlier
part's deletions unseen. Everything is in ``full_read_due`` when ``since`` is over 30
days old, and nothing is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ledgerbridge.qbo import batch_reads, reads
from ledgerbridge.qbo.http import QboHttp

CDC_MAX = 1000
MAX_AGE = timedelta(days=30)
AGE_MARGIN = timedelta(hours=1)  # our clock and QuickBooks' may differ a little
DELETABLE = frozenset({"Invoice", "CreditMemo", "SalesReceipt", "Estimate", "Payment",
                       "Bill", "PurchaseOrder", "JournalEntry", "Deposit", "Purchase",
                       "RefundReceipt", "BillPayment", "VendorCredit", "Transfer",
                       "TimeActivity"})


@dataclass(frozen=True)
class Change:
    entity: str
    id: str
    deleted: bool
    object: dict[str, Any]

    @property
    def updated(self) -> str:
        return str(self.object.get("MetaData", {}).get("LastUpdatedTime", ""))


@dataclass
class ChangeSet:
    """What changed. ``checked_at`` is QuickBooks' own time of the first answer: the
    ``since`` of the next incremental run."""

    changes: list[Change] = field(default_factory=list)
    checked_at: datetime | None = None
    #: every entity when ``since`` is over 30 days old (then nothing was read)
    full_read_due: tuple[str, ...] = ()
    #: entities whose deletions in part of the window may be missing (read by query)
    deletions_unseen: tuple[str, ...] = ()
    calls: int = 0

    def of(self, entity: str) -> list[Change]:
        return [change for change in self.changes if change.entity == entity]


class _Collector:
    def __init__(self, http: QboHttp) -> None:
        self.http = http
        self.found: dict[tuple[str, str], Change] = {}
        self.deletions_unseen: set[str] = set()
        self.checked_at: datetime | None = None
        self.calls = 0

    def keep(self, entity: str, obj: dict[str, Any]) -> None:
        change = Change(entity, str(obj.get("Id")), obj.get("status") == "Deleted", obj)
        key = (entity, change.id)
        if key not in self.found or self.found[key].updated <= change.updated:
            self.found[key] = change

    async def cdc(self, entities: list[str], since: datetime) -> dict[str, list[Any]]:
        answer = await self.http.request("GET", "cdc", params={
            "entities": ",".join(entities), "changedSince": reads.stamp(since)},
            entity=entities[0])
        body = reads.ok_body(answer, entities[0])
        self.calls += 1
        if self.checked_at is None:
            self.checked_at = reads.moment(body.get("time"))
        got: dict[str, list[Any]] = {name: [] for name in entities}
        for block in body.get("CDCResponse", [{}])[0].get("QueryResponse", []):
            for name, objects in block.items():
                if name in got and isinstance(objects, list):
                    got[name].extend(o for o in objects if isinstance(o, dict))
        return got

    async def collect(self, entities: list[str], since: datetime) -> None:
        """One CDC call; when its answer is full, the entities read again by query."""
        got = await self.cdc(entities, since)
        for name, objects in got.items():
            for obj in objects:
                self.keep(name, obj)
        if sum(len(objects) for objects in got.values()) < CDC_MAX:
            return
        read = await batch_reads.read_changed(self.http, entities, since, {})
        self.calls += read.calls
        for name, rows in read.rows.items():
            for row in rows:
                self.keep(name, row)
        self.deletions_unseen.update(name for name in entities if name in DELETABLE)


async def changes_since(http: QboHttp, entities: list[str], since: datetime, *,
                        now: datetime | None = None) -> ChangeSet:
    """Every change to ``entities`` since ``since`` (see the module text)."""
    now = now or datetime.now(UTC)
    if since < now - MAX_AGE + AGE_MARGIN:
        return ChangeSet(full_read_due=tuple(entities))
    collector = _Collector(http)
    await collector.collect(list(entities), since)
    return ChangeSet(changes=sorted(collector.found.values(),
                                    key=lambda c: (c.entity, c.updated, c.id)),
                     checked_at=collector.checked_at,
                     deletions_unseen=tuple(sorted(collector.deletions_unseen)),
                     calls=collector.calls)
