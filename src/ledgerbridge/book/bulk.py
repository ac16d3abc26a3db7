"""Loading many records in one transaction (the bulk endpoint, ``ledgerbridge import``
and the demo): each record is upserted by its external id (or created without one),
and a rejected record says why while the rest go on.

Each record names its kind in ``object`` (``{"object": "customer", "external_id": "C1",
...}``, the key reads return too), so an invoice's own ``kind`` (service or project)
can travel beside it.

Two ways give the same outcomes. The batched way (the default, ``bulk_batch``) checks
and builds every record in memory first and writes the new ones with a few statements;
if the database refuses that, it is rolled back and the call is redone the per-record
way: each record upserted through the ``Book`` inside its own savepoint."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection

from ledgerbridge.book.kinds import KINDS
from ledgerbridge.book.resolve import Resolver
from ledgerbridge.book.store import Book
from ledgerbridge.errors import LedgerbridgeError, Problem, RecordRejectedError

BulkStatus = Literal["created", "updated", "unchanged", "deleted", "rejected"]
MAX_BULK = 1000
log = logging.getLogger(__name__)


@dataclass
class BulkOutcome:
    index: int
    kind: str | None
    status: BulkStatus
    id: str | None = None
    external_id: str | None = None
    message: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "kind": self.kind, "status": self.status,
                               "id": self.id, "external_id": self.external_id}
        if self.status == "rejected":
            out["message"] = self.message
            out["problems"] = [p.as_dict() for p in self.problems]
        return out


def kind_of(record: Any) -> str:
    """The record's kind (its ``object``), or RecordRejectedError."""
    if not isinstance(record, Mapping):
        raise RecordRejectedError("a record must be a JSON object",
                                  [Problem("", "must be a JSON object")])
    name = record.get("object")
    if name not in KINDS:
        allowed = ", ".join(KINDS)
        what = "is required" if name is None else f"'{name}' is not a record kind"
        raise RecordRejectedError(f"object {what}",
                                  [Problem("object", f"{what}; use one of: {allowed}")])
    return str(name)


_kind_of = kind_of  # the old private name


def rejected(index: int, kind: str | None, record: Any, exc: LedgerbridgeError) -> BulkOutcome:
    problems = getattr(exc, "problems", None) or [Problem("", exc.message)]
    external = record.get("external_id") if isinstance(record, Mapping) else None
    return BulkOutcome(index, kind, "rejected", None,
                       external if isinstance(external, str) else None,
                       exc.message, list(problems))


def write_one(book: Book, index: int, kind: str, data: Mapping[str, Any]) -> BulkOutcome:
    """Upsert (or create) one record through ``book`` inside a savepoint."""
    external_id = data.get("external_id")
    with book.conn.begin_nested():
        if isinstance(external_id, str) and external_id:
            result = book.upsert(kind, external_id, data)
        else:
            result = book.create(kind, data)
    return BulkOutcome(index, kind, result.outcome, result.record["id"],
                       result.record["external_id"])


def load_one(book: Book, index: int, record: Any) -> BulkOutcome:
    kind: str | None = None
    try:
        kind = kind_of(record)
        return write_one(book, index, kind, {k: v for k, v in record.items() if k != "object"})
    except LedgerbridgeError as exc:
        book.resolver = Resolver(book.conn, book.tenant_id)
        return rejected(index, kind, record, exc)


def load(
    conn: Connection, tenant_id: str, records: Iterable[Any], origin: str = "api",
    progress: Callable[[BulkOutcome], None] | None = None, *, batched: bool = True,
) -> list[BulkOutcome]:
    """Upsert every record in order; the caller's transaction holds them all.

    ``batched=False`` takes the per-record way from the start (one savepoint and a few
    statements per record); both ways give the same outcomes and records."""
    records = list(records)
    if batched:
        from ledgerbridge.book.bulk_batch import load_batched  # it imports this module

        outcomes = load_batched(conn, tenant_id, records, origin)
        if outcomes is not None:
            for outcome in outcomes:
                if progress is not None:
                    progress(outcome)
            return outcomes
    book = Book(conn, tenant_id, origin)
    outcomes = []
    for index, record in enumerate(records):
        outcome = load_one(book, index, record)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def summarize(outcomes: Iterable[BulkOutcome]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
