"""Resolving references (by our id or the host app's external id) within one tenant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from ledgerbridge.book.kinds import KINDS, KindSpec, RefSpec
from ledgerbridge.errors import Problem


class Resolver:
    """Looks records up for one tenant and remembers what it found (per request)."""

    def __init__(self, conn: Connection, tenant_id: str) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self._by_id: dict[tuple[str, str], RowMapping | None] = {}
        self._by_external: dict[tuple[str, str], str | None] = {}

    def forget(self, kind: str, record_id: str) -> None:
        self._by_id.pop((kind, record_id), None)

    def remember_external(self, kind: str, external_id: str, record_id: str) -> None:
        self._by_external[(kind, external_id)] = record_id

    def row(self, kind: str, record_id: str) -> RowMapping | None:
        """The live (not deleted) row of ``kind`` with ``record_id``, or None."""
        key = (kind, record_id)
        if key not in self._by_id:
            table = KINDS[kind].table
            found = self.conn.execute(
                select(table).where(table.c.id == record_id, table.c.tenant_id == self.tenant_id)
            ).mappings().first()
            self._by_id[key] = found
        found = self._by_id[key]
        return None if found is None or found["deleted_at"] is not None else found

    def id_for_external(self, kind: str, external_id: str) -> str | None:
        key = (kind, external_id)
        if key not in self._by_external:
            table = KINDS[kind].table
            self._by_external[key] = self.conn.execute(
                select(table.c.id).where(
                    table.c.tenant_id == self.tenant_id,
                    table.c.external_id == external_id,
                    table.c.deleted_at.is_(None),
                )
            ).scalar()
        return self._by_external[key]

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
