"""The go-live date defaults to the connection date (SYNC-SETTINGS.md, from JobTread):
a new connection's settings carry the day it was made (UTC), so documents dated before
it are not sent by a sync but wait under Unsynced records until pushed, while those
dated from that day on go. It can be given when connecting, and changed or cleared."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from ledgerbridge import sync_service
from ledgerbridge.engine.unsynced import unsynced
from ledgerbridge.errors import RecordRejectedError
from ledgerbridge.qbo import connections
from ledgerbridge.qbo.environments import endpoints_for
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.settings import store as settings_store
from support.qbo_world import World, make_world


@pytest.fixture
async def fresh(engine: Engine, tenant_id: str) -> AsyncIterator[World]:
    """A connection as a person makes it: its settings as it starts with them."""
    async for made in make_world(engine, tenant_id, go_live="connection date"):
        yield made


def _connection_day(world: World) -> date:
    """The day the connection was made, in UTC."""
    with world.engine.connect() as conn:
        made = connections.get_connection(conn, world.tenant_id, world.connection_id)
    return made.created_at.astimezone(UTC).date()


def _go_live(world: World) -> date | None:
    with world.engine.connect() as conn:
        return settings_store.load(conn, world.connection_id)[0].connection.go_live_date


def _invoice(world: World, customer_id: str, doc: str, issued: date) -> dict[str, Any]:
    with world.book() as book:
        return book.create("invoice", {
            "customer_id": customer_id, "status": "finalized", "doc_number": doc,
            "issue_date": issued.isoformat(),
            "lines": [{"description": "Service call", "unit_price": "95.00"}]}).record


def _results(report: Any, kind: str, record_id: str) -> list[str]:
    return [o.result for o in report.outcomes if o.kind == kind and o.record_id == record_id]


async def test_a_new_connection_goes_live_on_the_day_it_is_made(fresh: World) -> None:
    with fresh.engine.connect() as conn:
        settings, version = settings_store.load(conn, fresh.connection_id)
    assert settings.connection.go_live_date == _connection_day(fresh)
    assert version == 1                     # stored with the connection, not a default
    assert settings.customers.send == "when_created"   # the rest as the defaults


async def test_documents_dated_before_the_connection_wait_until_pushed(fresh: World) -> None:
    world = fresh
    go_live = _connection_day(world)
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Hill Residence"}).record
    old = _invoice(world, customer["id"], "900", go_live - timedelta(days=1))
    new = _invoice(world, customer["id"], "1001", go_live)

    report = await world.sync("full")
    assert report.failures() == []
    assert set(await world.by_name("Invoice")) == {"1001"}
    assert "created" in _results(report, "invoice", new["id"])
    assert _results(report, "invoice", old["id"]) == ["waiting"]
    assert f"go-live date {go_live}" in " ".join(
        o.message for o in report.outcomes if o.record_id == old["id"])

    with sync_service.context(world.engine, world.tenant_id, world.connection_id) as ctx:
        listed = list(unsynced(ctx))
    assert [(u.kind, u.record_id, u.reason) for u in listed] == [
        ("invoice", old["id"], "before_go_live")]
    report = await world.runner().run("push", push=[("invoice", old["id"])])
    assert report.failures() == [] and "created" in _results(report, "invoice", old["id"])
    assert set(await world.by_name("Invoice")) == {"900", "1001"}
    with sync_service.context(world.engine, world.tenant_id, world.connection_id) as ctx:
        assert list(unsynced(ctx)) == []


async def test_go_live_given_when_connecting_then_changed_or_cleared(
        engine: Engine, tenant_id: str) -> None:
    async for world in make_world(engine, tenant_id, go_live=date(2025, 7, 1)):
        assert _go_live(world) == date(2025, 7, 1)
        world.settings(connection={"go_live_date": "2024-01-31"})
        assert _go_live(world) == date(2024, 1, 31)
        world.settings(connection={"go_live_date": ""})    # `settings set ...go_live_date=`
        assert _go_live(world) is None
        world.settings(connection={"go_live_date": "2025-07-01"})
        world.settings(connection={"go_live_date": None})
        assert _go_live(world) is None
        with pytest.raises(RecordRejectedError) as refused:
            world.settings(connection={"go_live_date": "1 July"})
        assert refused.value.problems[0].path == "connection.go_live_date"


def test_a_connection_made_before_the_default_keeps_no_go_live(engine: Engine,
                                                               tenant_id: str) -> None:
    """Upgrading changes nothing for a connection whose settings were never stored: it
    reads the defaults, which have no go-live (every record goes, as it did)."""
    with engine.begin() as conn:
        made = connections.create_connection(
            conn, SecretBox.from_environment(), tenant_id, name="older",
            endpoints=endpoints_for("intuit_sandbox"), client_id="id", client_secret="s")
        settings, version = settings_store.load(conn, made.id)
    assert settings.connection.go_live_date is None and version == 0
