"""The batched way of ``bulk.load``: the same outcomes as upserting record by record,
with a few statements per call instead of a few per record.

1. Warm up: one ``IN (...)`` query per kind reads every row the call names by
   external id (to upsert it, or as a reference) or by id.
2. Check and build every record in order, in memory: a rejected record never touches
   the database; an accepted new row is remembered (by external id and by id) so later
   records of the call can refer to it; a payment moves the balances of its invoices
   in memory (a pending invoice is inserted with them, an existing one gets one
   versioned update at the end); an upsert that leaves its record as it is is
   ``unchanged`` without a write.
3. New rows are written with one ``executemany`` INSERT per run of one kind, in order;
   the database triggers write their change events as for any insert.

An upsert that changes an existing record goes through the ``Book`` (in a savepoint,
after writing everything pending), as does a record with an odd ``external_id``. All
of it runs in one savepoint: when the database raises (a concurrent writer took an
external id, say), that is rolled back and the caller redoes the call record by record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Insert
from sqlalchemy.exc import SQLAlchemyError

from ledgerbridge.book import rows
from ledgerbridge.book.build import applied_by_invoice, invoice_balance
from ledgerbridge.book.bulk import BulkOutcome, kind_of, rejected, write_one
from ledgerbridge.book.codec import dumps
from ledgerbridge.book.ids import new_id
from ledgerbridge.book.kinds import KINDS, KindSpec
from ledgerbridge.book.resolve import Row
from ledgerbridge.book.store import Book
from ledgerbridge.errors import ConflictError, LedgerbridgeError

log = logging.getLogger(__name__)
INVOICE = KINDS["invoice"]


@cache
def _insert(kind: str) -> Insert:
    return KINDS[kind].table.insert()


@cache
def _ref_fields(kind: str, items: bool) -> tuple[tuple[str, str, str], ...]:
    """(target kind, external id field, id field) of each reference of ``kind``'s
    records (or of their items)."""
    spec = KINDS[kind]
    return tuple((ref.target, ref.external_field, ref.id_field)
                 for ref in (spec.item_refs if items else spec.refs))


@cache
def _content_columns(kind: str) -> tuple[str, ...]:
    return tuple(rows.content_columns(KINDS[kind]))


def load_batched(conn: Connection, tenant_id: str, records: Sequence[Any],
                 origin: str) -> list[BulkOutcome] | None:
    """The outcomes of loading ``records``, or None (and nothing written) when the
    database refused the batch and the call must be redone record by record."""
    try:
        with conn.begin_nested():
            return _Batch(conn, tenant_id, origin).run(records)
    except (SQLAlchemyError, ConflictError) as exc:
        why = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0]
        log.info("bulk load: the database refused the batch (%s: %s); loading record by "
                 "record", type(exc).__name__, why)
        return None


class _Batch:
    def __init__(self, conn: Connection, tenant_id: str, origin: str) -> None:
        self.book = Book(conn, tenant_id, origin)
        self.resolver = self.book.resolver
        self.tenant_id = tenant_id
        self.origin = origin
        #: (kind, external id) -> id of every row known to hold it, deleted ones too
        self.existing: dict[tuple[str, str], str] = {}
        #: new rows to insert, in order
        self.pending: list[tuple[KindSpec, dict[str, Any]]] = []
        #: invoices whose amount_paid changed in memory: id -> the row to write
        self.invoices: dict[str, dict[str, Any]] = {}
        #: of those, the ones already stored: id -> the row as read (its version)
        self.stored_invoices: dict[str, Row] = {}

    # the call ------------------------------------------------------------------------
    def run(self, records: Sequence[Any]) -> list[BulkOutcome]:
        parsed: list[tuple[str, dict[str, Any]] | BulkOutcome] = []
        for index, record in enumerate(records):
            try:
                kind = kind_of(record)
            except LedgerbridgeError as exc:
                parsed.append(rejected(index, None, record, exc))
                continue
            parsed.append((kind, {k: v for k, v in record.items() if k != "object"}))
        self._warm([p for p in parsed if not isinstance(p, BulkOutcome)])
        outcomes = []
        for index, (record, item) in enumerate(zip(records, parsed, strict=True)):
            if isinstance(item, BulkOutcome):
                outcomes.append(item)
            else:
                outcomes.append(self._one(index, record, *item))
        self._flush()
        return outcomes

    def _warm(self, parsed: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        external_ids: dict[str, set[str]] = {kind: set() for kind in KINDS}
        ids: dict[str, set[str]] = {kind: set() for kind in KINDS}

        def refs(fields: tuple[tuple[str, str, str], ...], data: Mapping[str, Any]) -> None:
            for target, external_field, id_field in fields:
                value = data.get(external_field)
                if isinstance(value, str):
                    external_ids[target].add(value)
                value = data.get(id_field)
                if isinstance(value, str):
                    ids[target].add(value)

        for kind, data in parsed:
            spec = KINDS[kind]
            external_id = data.get("external_id")
            if isinstance(external_id, str):
                external_ids[kind].add(external_id)
            refs(_ref_fields(kind, False), data)
            items = data.get(spec.items_field) if spec.items_field else None
            for item in items if isinstance(items, list) else ():
                if isinstance(item, Mapping):
                    refs(_ref_fields(kind, True), item)
        for kind in KINDS:
            if external_ids[kind] or ids[kind]:
                found = self.resolver.prefetch(kind, external_ids[kind], ids[kind])
                for external_id, row in found.items():
                    self.existing[(kind, external_id)] = row["id"]

    # one record ----------------------------------------------------------------------
    def _one(self, index: int, record: Any, kind: str, data: dict[str, Any]) -> BulkOutcome:
        spec = KINDS[kind]
        external_id = data.get("external_id")
        if external_id is not None and not (isinstance(external_id, str) and external_id):
            return self._through_book(index, record, kind, data)
        existing_id = self.existing.get((kind, external_id)) if external_id else None
        existing = self.resolver.raw_row(kind, existing_id) if existing_id else None
        try:
            row = self.book._build(spec, data, existing)
        except LedgerbridgeError as exc:
            return rejected(index, kind, record, exc)
        if existing is None:
            return self._add(index, spec, row)
        if existing["deleted_at"] is None and not any(
            name in row and dumps(row[name]) != dumps(existing[name])
            for name in _content_columns(kind)
        ):
            return BulkOutcome(index, kind, "unchanged", existing["id"], existing["external_id"])
        return self._through_book(index, record, kind, data)

    def _add(self, index: int, spec: KindSpec, row: dict[str, Any]) -> BulkOutcome:
        now = datetime.now(UTC)
        record_id = new_id(spec.prefix)
        full = {**row, "id": record_id, "tenant_id": self.tenant_id, "version": 1,
                "origin": self.origin, "created_at": now, "updated_at": now,
                "deleted_at": None}
        self.pending.append((spec, full))
        self.resolver.remember_row(spec.name, record_id, full)
        external_id = row.get("external_id")
        if external_id:
            self.resolver.remember_external(spec.name, external_id, record_id)
            self.existing[(spec.name, external_id)] = record_id
        if spec.name == "invoice":
            self.invoices[record_id] = full
        elif spec.name == "payment":
            self._pay(row["applications"])
        return BulkOutcome(index, spec.name, "created", record_id, external_id)

    def _pay(self, applications: list[dict[str, Any]]) -> None:
        """What ``Book._apply_payment`` does for a new payment, in memory."""
        for invoice_id, delta in sorted(applied_by_invoice(applications).items()):
            invoice = self._invoice(invoice_id) if delta else None
            if invoice is None:
                continue
            paid = invoice["amount_paid"] + delta
            invoice["amount_paid"] = paid
            invoice["balance"] = invoice_balance(invoice["status"], invoice["total"], paid)

    def _invoice(self, invoice_id: str) -> dict[str, Any] | None:
        """The invoice to change in memory: a pending row, or a copy of a stored one
        (which later checks in the call then see)."""
        if invoice_id in self.invoices:
            return self.invoices[invoice_id]
        stored = self.resolver.raw_row(INVOICE.name, invoice_id)
        if stored is None:
            return None
        self.stored_invoices[invoice_id] = stored
        self.invoices[invoice_id] = copy = dict(stored)
        self.resolver.remember_row(INVOICE.name, invoice_id, copy)
        return copy

    def _through_book(self, index: int, record: Any, kind: str,
                      data: dict[str, Any]) -> BulkOutcome:
        """The per-record way, after writing everything pending (it reads the database)."""
        self._flush()
        try:
            outcome = write_one(self.book, index, kind, data)
        except LedgerbridgeError as exc:
            return rejected(index, kind, record, exc)
        if outcome.id is not None and outcome.external_id:
            # a restored record is live again (its external id may be remembered as gone)
            self.resolver.remember_external(kind, outcome.external_id, outcome.id)
            self.existing[(kind, outcome.external_id)] = outcome.id
        return outcome

    # writes --------------------------------------------------------------------------
    def _flush(self) -> None:
        """Insert the pending rows (one executemany per run of one kind and shape), then
        write the balances of stored invoices that payments moved."""
        for kind, run in groupby(self.pending, key=lambda p: (p[0].name, tuple(p[1]))):
            self.book.conn.execute(_insert(kind[0]), [full for _, full in run])
        self.pending.clear()
        now = datetime.now(UTC)
        for invoice_id, stored in self.stored_invoices.items():
            current = self.invoices[invoice_id]
            values = {"amount_paid": current["amount_paid"], "balance": current["balance"]}
            if any(values[name] != stored[name] for name in values):
                self.book._write_update(INVOICE, stored, values, now)
            else:
                self.resolver.remember_row(INVOICE.name, invoice_id, stored)
        self.stored_invoices.clear()
        self.invoices.clear()

