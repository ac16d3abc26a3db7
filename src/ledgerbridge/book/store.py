"""The book: create, upsert, update, delete, read and list records of one tenant.

Every write goes through here and lands in one transaction with its change event
(written by the database triggers of ``triggers.py``). Writes are optimistic: an update
names the version it read and fails with ConflictError when someone else got there
first."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import Connection, RowMapping, Select, and_, bindparam, select

from ledgerbridge.book import rows, usage
from ledgerbridge.book.build import applied_by_invoice, build_row, invoice_balance
from ledgerbridge.book.codec import dumps
from ledgerbridge.book.ids import new_id
from ledgerbridge.book.kinds import KINDS, KindSpec, kind
from ledgerbridge.book.resolve import Resolver
from ledgerbridge.book.resolve import Row as StoredRow
from ledgerbridge.book.validation import rejection_message, validate
from ledgerbridge.errors import (
    ConflictError,
    ErrorContext,
    NotFoundError,
    Problem,
    RecordRejectedError,
)
from ledgerbridge.many_rows import ReadRows

Outcome = Literal["created", "updated", "unchanged", "deleted"]
MAX_PAGE = 1000


@dataclass(frozen=True)
class WriteResult:
    outcome: Outcome
    record: dict[str, Any]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(record_id: str) -> str:
    return base64.urlsafe_b64encode(record_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError as exc:
        raise RecordRejectedError("the cursor is not one this API gave out",
                                  [Problem("after", "is not a valid cursor")]) from exc


@cache
def _live_rows(kind_name: str) -> ReadRows:
    table = KINDS[kind_name].table
    return ReadRows(lambda dialect: select(table).where(
        table.c.tenant_id == bindparam("tenant"), table.c.deleted_at.is_(None)
    ).order_by(table.c.id))


def _by_column(kind_name: str, column: str) -> Select[Any]:
    """``SELECT * ... WHERE tenant_id = :tenant_id AND <column> = :value``, built once."""
    table = KINDS[kind_name].table
    return select(table).where(table.c[column] == bindparam("value"),
                               table.c.tenant_id == bindparam("tenant_id"))


class Book:
    """One tenant's records, read and written on ``conn`` (the caller's transaction)."""

    def __init__(self, conn: Connection, tenant_id: str, origin: str = "api") -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.origin = origin
        self.resolver = Resolver(conn, tenant_id)

    # reads ---------------------------------------------------------------------------
    def _row(self, spec: KindSpec, record_id: str) -> RowMapping | None:
        return self.conn.execute(
            _by_column(spec.name, "id"), {"value": record_id, "tenant_id": self.tenant_id}
        ).mappings().first()

    def _live_row(self, spec: KindSpec, record_id: str) -> RowMapping:
        row = self._row(spec, record_id)
        if row is None or row["deleted_at"] is not None:
            raise NotFoundError(f"no {spec.label} has id '{record_id}'",
                                context=self._context(spec, record_id))
        return row

    def _row_by_external(self, spec: KindSpec, external_id: str) -> RowMapping | None:
        return self.conn.execute(
            _by_column(spec.name, "external_id"),
            {"value": external_id, "tenant_id": self.tenant_id},
        ).mappings().first()

    def get(self, kind_name: str, record_id: str) -> dict[str, Any]:
        spec = kind(kind_name)
        return rows.to_out(spec, self._live_row(spec, record_id))

    def get_by_external(self, kind_name: str, external_id: str) -> dict[str, Any]:
        spec = kind(kind_name)
        row = self._row_by_external(spec, external_id)
        if row is None or row["deleted_at"] is not None:
            raise NotFoundError(f"no {spec.label} has external_id '{external_id}'")
        return rows.to_out(spec, row)

    def page(
        self, kind_name: str, *, after: str | None = None, limit: int = 100,
        updated_since: datetime | None = None, status: str | None = None,
        include_deleted: bool = False, filters: Mapping[str, str] | None = None,
    ) -> Page:
        spec = kind(kind_name)
        query = self._list_query(spec, updated_since, status, include_deleted, filters or {})
        if after:
            query = query.where(spec.table.c.id > decode_cursor(after))
        limit = max(1, min(limit, MAX_PAGE))
        found = self.conn.execute(query.order_by(spec.table.c.id).limit(limit + 1))
        items = [rows.to_out(spec, row) for row in found.mappings().all()]
        more = len(items) > limit
        items = items[:limit]
        return Page(items, encode_cursor(items[-1]["id"]) if more else None)

    def all_live(self, kind_name: str) -> list[dict[str, Any]]:
        """Every record of a kind not deleted, in id order, in one read (what ``page``
        gives over all its pages, without the per-page and per-row overhead)."""
        spec = kind(kind_name)
        columns, found = _live_rows(spec.name).run_lists(self.conn, tenant=self.tenant_id)
        return rows.to_out_many(spec, columns, found)

    def _list_query(
        self, spec: KindSpec, updated_since: datetime | None, status: str | None,
        include_deleted: bool, filters: Mapping[str, str],
    ) -> Select[Any]:
        table = spec.table
        query = select(table).where(table.c.tenant_id == self.tenant_id)
        if not include_deleted:
            query = query.where(table.c.deleted_at.is_(None))
        if updated_since is not None:
            query = query.where(table.c.updated_at >= updated_since)
        if status is not None:
            if not spec.has_status:
                raise RecordRejectedError(f"{spec.label} records have no status",
                                          [Problem("status", "is not a filter here")])
            if status not in spec.statuses:
                allowed = ", ".join(spec.statuses)
                raise RecordRejectedError(f"unknown status '{status}'",
                                          [Problem("status", f"must be one of: {allowed}")])
            query = query.where(table.c.status == status)
        for name, value in filters.items():
            query = query.where(table.c[name] == value)
        return query

    # writes --------------------------------------------------------------------------
    def create(self, kind_name: str, data: Mapping[str, Any]) -> WriteResult:
        spec = kind(kind_name)
        external_id = data.get("external_id")
        if external_id is not None:
            clash = self._row_by_external(spec, str(external_id))
            if clash is not None:
                raise ConflictError(
                    f"a {spec.label} with external_id '{external_id}' already exists "
                    f"('{clash['id']}'); update it, or upsert with PUT "
                    f"/v1/{spec.plural}/by-external-id/{external_id}",
                    context=self._context(spec, clash["id"]),
                )
        return self._insert(spec, self._build(spec, data, None))

    def upsert(self, kind_name: str, external_id: str, data: Mapping[str, Any]) -> WriteResult:
        """Create or replace the record with this external id; the same body twice is
        one record and one version."""
        spec = kind(kind_name)
        given = data.get("external_id")
        if given is not None and given != external_id:
            raise RecordRejectedError(
                f"the body's external_id '{given}' differs from '{external_id}'",
                [Problem("external_id", f"must be '{external_id}' or left out")])
        body = {**data, "external_id": external_id}
        existing = self._row_by_external(spec, external_id)
        if existing is None:
            return self._insert(spec, self._build(spec, body, None))
        return self._replace(spec, existing, self._build(spec, body, existing))

    def update(self, kind_name: str, record_id: str, changes: Mapping[str, Any],
               expected_version: int | None = None) -> WriteResult:
        """Apply a partial update: the fields given change, the rest stay."""
        spec = kind(kind_name)
        existing = self._live_row(spec, record_id)
        self._check_version(spec, existing, expected_version)
        merged = rows.to_input(spec, existing)
        for ref in spec.refs:
            if ref.external_field in changes and ref.id_field not in changes:
                merged.pop(ref.id_field, None)
        merged.update(changes)
        return self._replace(spec, existing, self._build(spec, merged, existing))

    def delete(self, kind_name: str, record_id: str,
               expected_version: int | None = None) -> WriteResult:
        """Soft-delete, refused while live records still refer to this one."""
        spec = kind(kind_name)
        existing = self._live_row(spec, record_id)
        self._check_version(spec, existing, expected_version)
        users = usage.users_of(self.conn, self.tenant_id, spec.name, record_id)
        if users:
            raise ConflictError(usage.describe(spec, record_id, users),
                                context=self._context(spec, record_id, users=users))
        now = datetime.now(UTC)
        self._write_update(spec, existing, {"deleted_at": now}, now)
        if spec.name == "payment":
            self._apply_payment(existing["applications"], [])
        return WriteResult("deleted", rows.to_out(spec, self._row_or_fail(spec, record_id)))

    # internals -----------------------------------------------------------------------
    def _context(self, spec: KindSpec, record_id: str | None, **extra: Any) -> ErrorContext:
        return ErrorContext(tenant_id=self.tenant_id, record_kind=spec.name,
                            record_id=record_id, extra=extra)

    def _check_version(self, spec: KindSpec, row: StoredRow, expected: int | None) -> None:
        if expected is not None and expected != row["version"]:
            raise ConflictError(
                f"{spec.label} '{row['id']}' is at version {row['version']}, not "
                f"{expected}; read it again and reapply your change",
                context=self._context(spec, row["id"], version=row["version"]))

    def _build(self, spec: KindSpec, data: Mapping[str, Any],
               existing: StoredRow | None) -> dict[str, Any]:
        model = validate(spec.model, data, spec.label)
        row, problems = build_row(spec, model, self.resolver, existing)
        if problems:
            raise RecordRejectedError(rejection_message(spec.label, problems), problems,
                                      context=self._context(
                spec, existing["id"] if existing is not None else None))
        return row

    def _insert(self, spec: KindSpec, row: dict[str, Any]) -> WriteResult:
        now = datetime.now(UTC)
        record_id = new_id(spec.prefix)
        full = {**row, "id": record_id, "tenant_id": self.tenant_id, "version": 1,
                "origin": self.origin, "created_at": now, "updated_at": now,
                "deleted_at": None}
        self.conn.execute(spec.table.insert(), full)
        if row.get("external_id"):
            self.resolver.remember_external(spec.name, row["external_id"], record_id)
        if spec.name == "payment":
            self._apply_payment([], row["applications"])
        return WriteResult("created", rows.to_out(spec, full))

    def _replace(self, spec: KindSpec, existing: StoredRow, row: dict[str, Any]
                 ) -> WriteResult:
        changed = {
            name: row[name] for name in rows.content_columns(spec)
            if name in row and dumps(row[name]) != dumps(existing[name])
        }
        if existing["deleted_at"] is not None:
            changed["deleted_at"] = None
        if not changed:
            return WriteResult("unchanged", rows.to_out(spec, existing))
        self._write_update(spec, existing, changed, datetime.now(UTC))
        if spec.name == "payment":
            self._apply_payment(existing["applications"], row["applications"])
        return WriteResult("updated", rows.to_out(spec, self._row_or_fail(spec, existing["id"])))

    def _row_or_fail(self, spec: KindSpec, record_id: str) -> RowMapping:
        row = self._row(spec, record_id)
        if row is None:
            raise NotFoundError(f"{spec.label} '{record_id}' vanished during the write")
        return row

    def _write_update(self, spec: KindSpec, existing: StoredRow, values: dict[str, Any],
                      now: datetime) -> None:
        table = spec.table
        result = self.conn.execute(
            table.update()
            .where(and_(table.c.id == existing["id"], table.c.version == existing["version"]))
            .values(**values, version=existing["version"] + 1, updated_at=now,
                    origin=self.origin)
        )
        self.resolver.forget(spec.name, existing["id"])
        if result.rowcount != 1:
            raise ConflictError(
                f"{spec.label} '{existing['id']}' changed while this request was writing it; "
                "read it again and retry", context=self._context(spec, existing["id"]))

    def _apply_payment(self, before: list[dict[str, Any]] | None,
                       after: list[dict[str, Any]] | None) -> None:
        """Move the applied amounts of a payment onto its invoices' balances."""
        old, new = applied_by_invoice(before), applied_by_invoice(after)
        spec = KINDS["invoice"]
        for invoice_id in sorted(set(old) | set(new)):
            delta = new.get(invoice_id, 0) - old.get(invoice_id, 0)
            invoice = self._row(spec, invoice_id)
            if not delta or invoice is None:
                continue
            paid = invoice["amount_paid"] + delta
            balance = invoice_balance(invoice["status"], invoice["total"], paid)
            self._write_update(spec, invoice, {"amount_paid": paid, "balance": balance},
                               datetime.now(UTC))
