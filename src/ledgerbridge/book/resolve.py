"""Resolving references (by our id or the host app's external id) within one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select

from ledgerbridge.book.kinds import KINDS, KindSpec, RefSpec
from ledgerbridge.errors import Problem

#: a stored row (a RowMapping, or the dict of a row the bulk loader is about to insert)
Row = Mapping[Any, Any]
#: most values in one ``IN (...)`` list
IN_CHUNK = 500


@cache
def _row_by_id(kind: str) -> Select[Any]:
    table = KINDS[kind].table
    return select(table).where(table.c.id == bindparam("record_id"),
                               table.c.tenant_id == bindparam("tenant_id"))


@cache
def _live_id_by_external(kind: str) -> Select[Any]:
    table = KINDS[kind].table
    return select(table.c.id).where(table.c.tenant_id == bindparam("tenant_id"),
                                    table.c.external_id == bindparam("external_id"),
                                    table.c.deleted_at.is_(None))


@cache
def _rows_by(kind: str, column: str) -> Select[Any]:
    table = KINDS[kind].table
    return select(table).where(table.c.tenant_id == bindparam("tenant_id"),
                               table.c[column].in_(bindparam("values", expanding=True)))


def chunks(values: Iterable[str], size: int = IN_CHUNK) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


class Resolver:
    """Looks records up for one tenant and remembers what it found (per request)."""

    def __init__(self, conn: Connection, tenant_id: str) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self._by_id: dict[tuple[str, str], Row | None] = {}
        self._by_external: dict[tuple[str, str], str | None] = {}

    def forget(self, kind: str, record_id: str) -> None:
        self._by_id.pop((kind, record_id), None)

    def remember_external(self, kind: str, external_id: str, record_id: str) -> None:
        self._by_external[(kind, external_id)] = record_id

    def remember_row(self, kind: str, record_id: str, row: Row) -> None:
        """Know ``row`` (live, or deleted) without reading it: a row just written."""
        self._by_id[(kind, record_id)] = row

    def raw_row(self, kind: str, record_id: str) -> Row | None:
        """The row of ``kind`` with ``record_id``, deleted or not, or None."""
        key = (kind, record_id)
        if key not in self._by_id:
            self._by_id[key] = self.conn.execute(
                _row_by_id(kind), {"record_id": record_id, "tenant_id": self.tenant_id}
            ).mappings().first()
        return self._by_id[key]

    def row(self, kind: str, record_id: str) -> Row | None:
        """The live (not deleted) row of ``kind`` with ``record_id``, or None."""
        found = self.raw_row(kind, record_id)
        return None if found is None or found["deleted_at"] is not None else found

    def id_for_external(self, kind: str, external_id: str) -> str | None:
        key = (kind, external_id)
        if key not in self._by_external:
            self._by_external[key] = self.conn.execute(
                _live_id_by_external(kind),
                {"tenant_id": self.tenant_id, "external_id": external_id},
            ).scalar()
        return self._by_external[key]

    def prefetch(self, kind: str, external_ids: Iterable[str] = (),
                 ids: Iterable[str] = ()) -> dict[str, Row]:
        """Read the rows of ``kind`` with these external ids or ids, a few hundred per
        query, and remember them (an id or external id not found is remembered as
        missing too). Returns the rows found by external id, deleted ones included."""
        by_external: dict[str, Row] = {}
        for part in chunks(external_ids):
            for row in self._select_in(kind, "external_id", part):
                by_external[row["external_id"]] = row
            for external_id in part:
                found = by_external.get(external_id)
                live = None if found is None or found["deleted_at"] is not None else found["id"]
                self._by_external[(kind, external_id)] = live
        wanted_ids = [i for i in set(ids) if (kind, i) not in self._by_id]
        for part in chunks(wanted_ids):
            found_ids = {row["id"] for row in self._select_in(kind, "id", part)}
            for record_id in set(part) - found_ids:
                self._by_id[(kind, record_id)] = None
        return by_external

    def _select_in(self, kind: str, column: str, values: Sequence[str]) -> list[Row]:
        found: list[Row] = list(self.conn.execute(
            _rows_by(kind, column), {"tenant_id": self.tenant_id, "values": list(values)}
        ).mappings())
        for row in found:
            self._by_id[(kind, row["id"])] = row
        return found

    def resolve(
        self, ref: RefSpec, data: Mapping[str, Any], path: str, problems: list[Problem]
    ) -> str | None:
        """The id ``data`` refers to through ``ref``; problems name the field at fault."""
        label = KINDS[ref.target].label
        given_id = data.get(ref.id_field)
        given_ext = data.get(ref.external_field)
        if given_id is None and given_ext is None:
            if ref.required:
                problems.append(Problem(
                    path + ref.id_field,
                    f"is required: give {ref.id_field} or {ref.external_field}",
                ))
            return None
        found_by_ext = None
        if given_ext is not None:
            found_by_ext = self.id_for_external(ref.target, given_ext)
            if found_by_ext is None:
                problems.append(Problem(
                    path + ref.external_field,
                    f"no {label} has external_id '{given_ext}'; create it first "
                    "(in a bulk request, earlier in the same request)",
                ))
                return None
        if given_id is not None:
            if self.row(ref.target, given_id) is None:
                problems.append(Problem(path + ref.id_field, f"no {label} has id '{given_id}'"))
                return None
            if found_by_ext is not None and found_by_ext != given_id:
                problems.append(Problem(
                    path + ref.id_field,
                    f"names {label} '{given_id}' but {ref.external_field} "
                    f"'{given_ext}' is {label} '{found_by_ext}'; give one of them",
                ))
                return None
            return str(given_id)
        return found_by_ext


def owner_problem(
    resolver: Resolver, spec: KindSpec, child_kind: str, child_id: str | None,
    customer_id: str | None, path: str,
) -> Problem | None:
    """A problem when ``child_id`` (a location, job or ticket) is not the customer's."""
    if child_id is None or customer_id is None:
        return None
    child = resolver.row(child_kind, child_id)
    if child is None or child["customer_id"] == customer_id:
        return None
    label = KINDS[child_kind].label
    return Problem(
        path,
        f"{label} '{child_id}' belongs to customer '{child['customer_id']}', not to this "
        f"{spec.label}'s customer '{customer_id}'",
    )
