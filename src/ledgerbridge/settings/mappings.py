"""Mappings a user chooses per connection: cost code -> QuickBooks item, cost type ->
class. Autofill maps the codes whose names equal an item's name (normalized)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from ledgerbridge.engine.names import normalize
from ledgerbridge.engine.tables import mappings

KINDS = {"cost_code_item": ("cost_code", "item"), "cost_type_class": ("cost_type", "class")}


@dataclass(frozen=True)
class Mapping_:
    kind: str
    local_id: str
    remote_id: str
    remote_name: str | None


def all_of(conn: Connection, connection_id: str, kind: str) -> dict[str, Mapping_]:
    rows = conn.execute(select(mappings).where(
        mappings.c.connection_id == connection_id, mappings.c.kind == kind)).mappings()
    return {row["local_id"]: Mapping_(kind, row["local_id"], row["remote_id"],
                                      row["remote_name"]) for row in rows}


def put(conn: Connection, connection_id: str, kind: str, local_id: str, remote_id: str,
        remote_name: str | None = None) -> None:
    if kind not in KINDS:
        raise KeyError(f"unknown mapping kind '{kind}' (known: {', '.join(KINDS)})")
    remove(conn, connection_id, kind, local_id)
    conn.execute(mappings.insert().values(
        connection_id=connection_id, kind=kind, local_id=local_id, remote_id=remote_id,
        remote_name=remote_name, updated_at=datetime.now(UTC)))


def remove(conn: Connection, connection_id: str, kind: str, local_id: str) -> None:
    conn.execute(delete(mappings).where(
        mappings.c.connection_id == connection_id, mappings.c.kind == kind,
        mappings.c.local_id == local_id))


def autofill(conn: Connection, connection_id: str, kind: str,
             locals_: Iterable[tuple[str, str]], remotes: Iterable[tuple[str, str]]
             ) -> list[Mapping_]:
    """Map each unmapped local (id, name) to the remote (id, name) of the same name;
    return the mappings made. Existing mappings are kept."""
    existing = all_of(conn, connection_id, kind)
    by_name: Mapping[str, tuple[str, str]] = {normalize(name): (rid, name)
                                              for rid, name in remotes}
    made = []
    for local_id, name in locals_:
        if local_id in existing or normalize(name) not in by_name:
            continue
        remote_id, remote_name = by_name[normalize(name)]
        put(conn, connection_id, kind, local_id, remote_id, remote_name)
        made.append(Mapping_(kind, local_id, remote_id, remote_name))
    return made
