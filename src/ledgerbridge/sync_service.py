"""Running the engine for a stored connection: the ledger of its edition, the run, and
the host events and webhooks that follow. The engine itself knows neither editions nor
HTTP; this module wires them together for the API, the CLI and the demo."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from sqlalchemy import Connection, Engine

from ledgerbridge.engine import actions, state
from ledgerbridge.engine.context import Context, Key
from ledgerbridge.engine.ledger import CompanyProfile
from ledgerbridge.engine.outcomes import RecordOutcome
from ledgerbridge.engine.runner import Mode, Progress, RunReport, SyncRunner
from ledgerbridge.errors import ConfigurationError, NeedsReconnectError
from ledgerbridge.hostevents import store as events
from ledgerbridge.hostevents import webhooks
from ledgerbridge.ledgers.qbo.ledger import QboLedger
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.connections import Connection as QboConnection
from ledgerbridge.qbo.connections import clear_changed, get_connection, list_connections
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.settings import store as settings_store

T = TypeVar("T")
#: stands in for the company profile before the first run has read it
UNKNOWN_PROFILE = CompanyProfile("", False, False, True, None, None, None, {})


def find_connection(conn: Connection, tenant_id: str, connection_id: str | None
                    ) -> QboConnection:
    """The named connection, or the tenant's only one."""
    if connection_id:
        return get_connection(conn, tenant_id, connection_id)
    found = list_connections(conn, tenant_id)
    if len(found) != 1:
        raise ConfigurationError(
            "this tenant has no QuickBooks connection yet (run: ledgerbridge connect qbo)"
            if not found else f"this tenant has {len(found)} connections; choose one with "
            f"--connection ({', '.join(c.id for c in found)})")
    return found[0]


@contextmanager
def context(engine: Engine, tenant_id: str, connection_id: str) -> Iterator[Context]:
    """A read-mostly engine context (for unsynced records, the log, mappings)."""
    with engine.connect() as conn:
        settings, _ = settings_store.load(conn, connection_id)
        profile = state.load(conn, connection_id).profile or UNKNOWN_PROFILE
        yield Context(conn, tenant_id, connection_id, settings, profile)
        conn.commit()


async def run_sync(engine: Engine, tenant_id: str, connection_id: str, *, mode: Mode = "daily",
                   dry_run: bool = False, push: Sequence[Key] = (),
                   transport: httpx.AsyncBaseTransport | None = None,
                   progress: Progress | None = None, box: SecretBox | None = None,
                   webhook_transport: httpx.AsyncBaseTransport | None = None) -> RunReport:
    """One sync run of a connection, then its events and webhook deliveries."""
    box = box or SecretBox.from_environment()
    with engine.connect() as conn:
        connection = get_connection(conn, tenant_id, connection_id)
        settings, _ = settings_store.load(conn, connection_id)
    if connection.status != "connected":
        raise NeedsReconnectError(
            f"the connection '{connection.name}' is {connection.status.replace('_', ' ')}"
            + (f": {connection.status_message}" if connection.status_message else "")
            + "; reconnect it (ledgerbridge connect qbo) before syncing")
    if settings.connection.paused and not dry_run:
        raise ConfigurationError(f"the connection '{connection.name}' is paused; unpause it "
                                 "(settings: connection.paused=false) to sync")
    started = datetime.now(UTC)
    client = QboClient.for_connection(engine, connection_id, box=box, transport=transport)
    async with client:
        runner = SyncRunner(engine, tenant_id, connection_id, QboLedger(client), progress)
        report = await runner.run(mode, dry_run, push)
    if not dry_run:
        with engine.begin() as conn:
            events.record_outcomes(conn, tenant_id, connection_id, report.outcomes)
            events.record(conn, tenant_id, connection_id, "sync.completed",
                          data={"run_id": report.run_id, "mode": mode,
                                "summary": report.summary()})
            clear_changed(conn, connection_id, started)
        await webhooks.deliver(engine, box, tenant_id, webhook_transport)
    return report


async def with_ledger(engine: Engine, tenant_id: str, connection_id: str,
                      transport: httpx.AsyncBaseTransport | None,
                      action: Callable[[QboLedger], Awaitable[T]]) -> T:
    """``action`` on the ledger of the tenant's connection (NotFoundError if it is not
    the tenant's), its client closed after."""
    with engine.connect() as conn:
        get_connection(conn, tenant_id, connection_id)  # the tenant's, or NotFound
    async with QboClient.for_connection(engine, connection_id, transport=transport) as client:
        return await action(QboLedger(client))


async def import_names(engine: Engine, tenant_id: str, connection_id: str,
                       transport: httpx.AsyncBaseTransport | None = None
                       ) -> list[RecordOutcome]:
    """QuickBooks' customers and vendors into the book, linked or created."""
    return await with_ledger(engine, tenant_id, connection_id, transport, lambda ledger:
                              actions.import_names(engine, tenant_id, connection_id, ledger))


async def inventory_sync(engine: Engine, tenant_id: str, connection_id: str,
                         transport: httpx.AsyncBaseTransport | None = None) -> RunReport:
    """Every inventory part's count to QuickBooks now."""
    return await with_ledger(engine, tenant_id, connection_id, transport, lambda ledger:
                              actions.inventory_sync(engine, tenant_id, connection_id, ledger))
