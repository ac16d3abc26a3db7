"""Change data capture: everything changed since a moment, complete even past 1000.

QuickBooks answers at most 1000 objects per CDC call (shared by the entities asked) and
looks at most 30 days back. When an answer reaches 1000 it may be cut short, so the window
is split: first by entity (each alone), then, for one entity, in time: the later half is
asked again by CDC (recursively, until an answer stays under 1000), the earlier half is
read with a bounded query on ``MetaData.LastUpdatedTime`` (CDC has a start and no end,
so only a window's later part can be asked of it again); a window under two seconds
still cut short is read by query whole. Queries do not return deleted transactions, so
an entity whose deletions may be missing from the part read by query is listed in
``deletions_unseen`` (its adds and changes are all there). Everything is in
``full_read_due`` when ``since`` is over 30 days old, and nothing is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ledgerbridge.qbo import reads
from ledgerbridge.qbo.http import QboHttp

CDC_MAX = 1000
MAX_AGE = timedelta(days=30)
AGE_MARGIN = timedelta(hours=1)  # our clock and QuickBooks' may differ a little
MIN_WINDOW = timedelta(seconds=2)
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

    async def collect(self, entities: list[str], since: datetime, until: datetime) -> None:
        got = await self.cdc(entities, since)
        for name, objects in got.items():
            for obj in objects:
                self.keep(name, obj)
        if sum(len(objects) for objects in got.values()) < CDC_MAX:
            return
        if len(entities) > 1:
            half = len(entities) // 2
            await self.collect(entities[:half], since, until)
            await self.collect(entities[half:], since, until)
            return
        await self.split_in_time(entities[0], since, self.checked_at or until)

    async def split_in_time(self, entity: str, since: datetime, until: datetime) -> None:
        """``[middle, now]`` by CDC again, ``[since, middle)`` by query; a window too
        short to split is read by query up to ``until`` (the first answer's time: what
        changed later is the next run's)."""
        middle = until
        if until - since >= MIN_WINDOW:
            middle = since + (until - since) / 2
            await self.collect([entity], middle, until)
        clause = reads.where(*reads.base_conditions(entity, since),
                             f"MetaData.LastUpdatedTime < {reads.literal(reads.stamp(middle))}")
        for row in await reads.read_pages(self.http, entity, clause):
            self.keep(entity, row)
        if entity in DELETABLE:
            self.deletions_unseen.add(entity)


async def changes_since(http: QboHttp, entities: list[str], since: datetime, *,
                        now: datetime | None = None) -> ChangeSet:
    """Every change to ``entities`` since ``since`` (see the module text)."""
    now = now or datetime.now(UTC)
    if since < now - MAX_AGE + AGE_MARGIN:
        return ChangeSet(full_read_due=tuple(entities))
    collector = _Collector(http)
    await collector.collect(list(entities), since, now)
    return ChangeSet(changes=sorted(collector.found.values(),
                                    key=lambda c: (c.entity, c.updated, c.id)),
                     checked_at=collector.checked_at,
                     deletions_unseen=tuple(sorted(collector.deletions_unseen)),
                     calls=collector.calls)
