"""The embedded runner: every tick, each connection whose sync is due gets a daily
sync, one connection at a time per process (DESIGN.md decision 9: the unit of work is
"sync one connection"). ``ledgerbridge worker`` runs it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine, select

from ledgerbridge.engine.tables import sync_state
from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.qbo.tables import connections
from ledgerbridge.settings import store as settings_store
from ledgerbridge.sync_service import run_sync
from ledgerbridge.workers.schedule import is_due

log = logging.getLogger("ledgerbridge.worker")


@dataclass(frozen=True)
class Due:
    tenant_id: str
    connection_id: str
    reason: str


def due_connections(engine: Engine, now: datetime) -> list[Due]:
    found = []
    with engine.connect() as conn:
        rows = conn.execute(select(connections.c.id, connections.c.tenant_id,
                                   connections.c.webhook_dirty)
                            .where(connections.c.status == "connected")).all()
        for row in rows:
            settings, _ = settings_store.load(conn, row.id)
            last = conn.execute(select(sync_state.c.last_run_at).where(
                sync_state.c.connection_id == row.id)).scalar()
            wide = settings.connection
            if is_due(wide.schedule, last, now, paused=wide.paused,
                      webhook_marked=bool(row.webhook_dirty)):
                reason = "QuickBooks sent a change" if row.webhook_dirty else "scheduled"
                found.append(Due(row.tenant_id, row.id, reason))
    return found


async def tick(engine: Engine, now: datetime | None = None,
               on_done: Callable[[Due, str], None] | None = None,
               transport: httpx.AsyncBaseTransport | None = None) -> list[Due]:
    """Run every due sync once; a failure is logged and the others go on."""
    done = due_connections(engine, now or datetime.now(UTC))
    for item in done:
        try:
            report = await run_sync(engine, item.tenant_id, item.connection_id, mode="daily",
                                    transport=transport)
            outcome = f"{len(report.failures())} failed" if report.failures() else "ok"
        except LedgerbridgeError as exc:
            outcome = f"not run: {exc.message}"
        log.info("sync of %s (%s): %s", item.connection_id, item.reason, outcome)
        if on_done is not None:
            on_done(item, outcome)
    return done


async def run_forever(engine: Engine, every_seconds: float = 30,
                      on_done: Callable[[Due, str], None] | None = None) -> None:
    while True:
        await tick(engine, on_done=on_done)
        await asyncio.sleep(every_seconds)
