"""Per-connection sync state: the change-feed cursor and the QuickBooks watermark,
frozen at the start of a run and saved at its end, plus the cached company profile.
And the runs themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from ledgerbridge.book.ids import new_id
from ledgerbridge.engine.ledger import CompanyProfile
from ledgerbridge.engine.tables import (
    links,
    mappings,
    operations,
    sync_runs,
    sync_settings,
    sync_state,
)


@dataclass(frozen=True)
class SyncState:
    feed_cursor: int
    changes_watermark: datetime | None
    last_full_sync_at: datetime | None
    profile: CompanyProfile | None


def _profile(data: dict[str, Any] | None) -> CompanyProfile | None:
    return CompanyProfile(**data) if data else None


def load(conn: Connection, connection_id: str) -> SyncState:
    row = conn.execute(select(sync_state).where(
        sync_state.c.connection_id == connection_id)).mappings().first()
    if row is None:
        return SyncState(0, None, None, None)
    return SyncState(int(row["feed_cursor"]), row["changes_watermark"],
                     row["last_full_sync_at"], _profile(row["profile"]))


def save(conn: Connection, connection_id: str, **values: Any) -> None:
    if "profile" in values and isinstance(values["profile"], CompanyProfile):
        profile = values["profile"]
        saved = {f.name: getattr(profile, f.name) for f in fields(profile)}
        values["profile"] = saved | {"name_limits": dict(profile.name_limits)}
    exists = conn.execute(select(sync_state.c.connection_id).where(
        sync_state.c.connection_id == connection_id)).first()
    if exists is None:
        conn.execute(sync_state.insert().values(
            connection_id=connection_id, **{"feed_cursor": 0, **values}))
    else:
        conn.execute(sync_state.update().where(
            sync_state.c.connection_id == connection_id).values(**values))


def start_run(conn: Connection, connection_id: str, mode: str, feed_from: int,
              feed_to: int, changes_from: datetime | None, changes_to: datetime) -> str:
    run_id = new_id("run")
    conn.execute(sync_runs.insert().values(
        id=run_id, connection_id=connection_id, mode=mode, status="running",
        started_at=datetime.now(UTC), feed_from=feed_from, feed_to=feed_to,
        changes_from=changes_from, changes_to=changes_to))
    return run_id


def finish_run(conn: Connection, run_id: str, status: str, summary: dict[str, Any]) -> None:
    conn.execute(sync_runs.update().where(sync_runs.c.id == run_id).values(
        status=status, finished_at=datetime.now(UTC), summary=summary))


def push_runs(conn: Connection, run_ids: Iterable[str | None]) -> set[str]:
    """Which of ``run_ids`` were pushes (push one, push all): what a person asked for."""
    ids = sorted({run_id for run_id in run_ids if run_id})
    if not ids:
        return set()
    return set(conn.execute(select(sync_runs.c.id).where(
        sync_runs.c.id.in_(ids), sync_runs.c.mode == "push")).scalars())


def forget_connection(conn: Connection, connection_id: str) -> None:
    """Delete everything the engine keeps for a connection (its links, operations and
    transmission log, mappings, runs, state and settings) before the connection itself
    is removed; the book's records stay as they are."""
    for table in (operations, links, mappings, sync_runs, sync_state, sync_settings):
        conn.execute(table.delete().where(table.c.connection_id == connection_id))
