"""The transmission log: a connection's operations, newest first, filtered and read page
by page.

The log is in the order operations were made (``created_at``, then ``id``), which never
changes: paging through it while syncs run shows every operation once, and one retried
later keeps its place (its state and ``updated_at`` say what became of it). Pages are cut
by a cursor on that order, which an index of ``operations`` serves, so a page costs the
same on the first day and after a year of daily syncs. (Ordering by ``updated_at``
instead would move the index entry of every operation finished, ~2 us more a record
written in a full sync, and skip or repeat operations that move while the log is paged.)
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, and_, or_, select

from ledgerbridge.engine.tables import operations
from ledgerbridge.errors import Problem, RecordRejectedError

MAX_LIMIT = 1000
DIRECTIONS = ("outbound", "inbound")


@dataclass(frozen=True)
class LogFilter:
    """What to show; every field left empty shows everything."""

    states: Sequence[str] = ()
    record_kind: str | None = None
    record_id: str | None = None
    direction: str | None = None
    run_id: str | None = None
    search: str | None = None  # text in the message, the record id or the remote id


@dataclass(frozen=True)
class LogPage:
    items: list[RowMapping]
    next_cursor: str | None  # the cursor of the page after this one, if there may be one


def encode_cursor(created_at: datetime, op_id: str) -> str:
    text = f"{created_at.isoformat()}|{op_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, op_id = text.split("|", 1)
        when = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise RecordRejectedError(
            "the cursor is not one this log gave out",
            [Problem("after", "is not a log cursor: pass the next_cursor of the page "
                              "before, or leave it out to start from the newest")]) from exc
    if when.tzinfo is None or not op_id:
        raise RecordRejectedError("the cursor is not one this log gave out",
                                  [Problem("after", "is not a log cursor")])
    return when, op_id


def page(conn: Connection, connection_id: str, wanted: LogFilter | None = None, *,
         after: str | None = None, limit: int = 100) -> LogPage:
    """A page of the log, newest first; ``after`` is the ``next_cursor`` of the page
    before."""
    wanted = wanted or LogFilter()
    if wanted.direction is not None and wanted.direction not in DIRECTIONS:
        raise RecordRejectedError("unknown direction", [
            Problem("direction", f"must be one of: {', '.join(DIRECTIONS)}")])
    table = operations.c
    query = select(operations).where(table.connection_id == connection_id)
    if wanted.states:
        query = query.where(table.state.in_(list(wanted.states)))
    for column, value in ((table.record_kind, wanted.record_kind),
                          (table.record_id, wanted.record_id),
                          (table.direction, wanted.direction), (table.run_id, wanted.run_id)):
        if value is not None:
            query = query.where(column == value)
    if wanted.search:
        pattern = f"%{wanted.search}%"
        query = query.where(table.message.ilike(pattern) | table.record_id.ilike(pattern)
                            | table.remote_id.ilike(pattern))
    if after is not None:
        when, op_id = decode_cursor(after)
        query = query.where(or_(table.created_at < when,
                                and_(table.created_at == when, table.id < op_id)))
    size = max(1, min(limit, MAX_LIMIT))
    rows = list(conn.execute(query.order_by(table.created_at.desc(), table.id.desc())
                             .limit(size + 1)).mappings())
    if len(rows) <= size:
        return LogPage(rows, None)
    last = rows[size - 1]
    return LogPage(rows[:size], encode_cursor(last["created_at"], last["id"]))
