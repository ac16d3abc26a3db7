"""Reading the change feed: every create, update and delete, in commit order per
tenant, as written by the database triggers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledgerbridge.book.tables import change_events


@dataclass(frozen=True)
class ChangeEvent:
    id: int
    kind: str
    record_id: str
    version: int
    op: str
    fields: list[str]
    origin: str
    occurred_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "record_id": self.record_id,
                "version": self.version, "op": self.op, "fields": self.fields,
                "origin": self.origin, "occurred_at": self.occurred_at}


def read_changes(conn: Connection, tenant_id: str, after: int = 0, limit: int = 1000,
                 kinds: list[str] | None = None) -> list[ChangeEvent]:
    query = (select(change_events)
             .where(change_events.c.tenant_id == tenant_id, change_events.c.id > after)
             .order_by(change_events.c.id).limit(max(1, min(limit, 10_000))))
    if kinds:
        query = query.where(change_events.c.kind.in_(kinds))
    return [
        ChangeEvent(row.id, row.kind, row.record_id, row.version, row.op,
                    json.loads(row.fields), row.origin, row.occurred_at)
        for row in conn.execute(query)
    ]


def last_change_id(conn: Connection, tenant_id: str) -> int:
    found = conn.execute(
        select(change_events.c.id).where(change_events.c.tenant_id == tenant_id)
        .order_by(change_events.c.id.desc()).limit(1)).scalar()
    return int(found or 0)
