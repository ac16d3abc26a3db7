"""Writing and reading host events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from ledgerbridge.hostevents.tables import host_events

#: outcome of a record in a run -> event type (others are not announced)
OUTCOME_TYPES = {
    ("outbound", "created"): "sync.created", ("outbound", "updated"): "sync.updated",
    ("outbound", "linked"): "sync.linked", ("outbound", "voided"): "sync.voided",
    ("outbound", "deleted"): "sync.deleted", ("outbound", "failed"): "sync.failed",
    ("outbound", "blocked"): "sync.blocked",
    ("inbound", "imported"): "quickbooks.created", ("inbound", "linked"): "quickbooks.linked",
    ("inbound", "changed_here"): "quickbooks.changed",
    ("inbound", "deleted"): "quickbooks.deleted", ("inbound", "failed"): "quickbooks.failed",
}


def record(conn: Connection, tenant_id: str, connection_id: str | None, type_: str, *,
           record_kind: str | None = None, record_id: str | None = None,
           remote_id: str | None = None, message: str | None = None,
           data: dict[str, Any] | None = None) -> None:
    conn.execute(host_events.insert().values(
        tenant_id=tenant_id, connection_id=connection_id, type=type_,
        record_kind=record_kind, record_id=record_id, remote_id=remote_id, message=message,
        data=data, occurred_at=datetime.now(UTC)))


def record_outcomes(conn: Connection, tenant_id: str, connection_id: str,
                    outcomes: Iterable[Any]) -> int:
    """Events for a run's record outcomes (``RecordOutcome``s); returns how many."""
    rows = []
    now = datetime.now(UTC)
    for outcome in outcomes:
        type_ = OUTCOME_TYPES.get((outcome.direction, outcome.result))
        if type_ is None:
            continue
        rows.append({"tenant_id": tenant_id, "connection_id": connection_id, "type": type_,
                     "record_kind": outcome.kind, "record_id": outcome.record_id or None,
                     "remote_id": outcome.remote_id, "message": outcome.message or None,
                     "data": None, "occurred_at": now})
    if rows:
        conn.execute(host_events.insert(), rows)
    return len(rows)


def as_dict(row: Any) -> dict[str, Any]:
    return {"id": row.id, "type": row.type, "connection_id": row.connection_id,
            "record_kind": row.record_kind, "record_id": row.record_id,
            "remote_id": row.remote_id, "message": row.message, "data": row.data,
            "occurred_at": row.occurred_at}


def read(conn: Connection, tenant_id: str, after: int = 0, limit: int = 100,
         types: Sequence[str] | None = None) -> list[dict[str, Any]]:
    query = (select(host_events)
             .where(host_events.c.tenant_id == tenant_id, host_events.c.id > after)
             .order_by(host_events.c.id).limit(max(1, min(limit, 1000))))
    if types:
        query = query.where(host_events.c.type.in_(list(types)))
    return [as_dict(row) for row in conn.execute(query)]
