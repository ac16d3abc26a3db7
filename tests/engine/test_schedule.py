"""When automatic syncs are due, and the embedded runner that runs them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from ledgerbridge.qbo.connections import mark_changed
from ledgerbridge.settings.model import Schedule
from ledgerbridge.workers.runner import due_connections, tick
from ledgerbridge.workers.schedule import is_due, next_run
from support.qbo_world import World

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_manual_is_never_due() -> None:
    manual = Schedule(mode="manual")
    assert next_run(manual, None, NOW) is None
    assert not is_due(manual, None, NOW, webhook_marked=True)


def test_interval() -> None:
    every = Schedule(mode="interval", every_minutes=15)
    assert is_due(every, None, NOW)
    assert not is_due(every, NOW - timedelta(minutes=14), NOW)
    assert is_due(every, NOW - timedelta(minutes=15), NOW)
    assert not is_due(every, NOW - timedelta(hours=3), NOW, paused=True)


def test_daily_at_a_time() -> None:
    daily = Schedule(mode="daily", daily_at=time(2, 0))
    ran = datetime(2026, 3, 10, 2, 5, tzinfo=UTC)
    assert next_run(daily, ran, NOW) == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
    assert not is_due(daily, ran, NOW)
    assert is_due(daily, ran, datetime(2026, 3, 11, 2, 0, tzinfo=UTC))
    before_slot = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    assert next_run(daily, before_slot, NOW) == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    assert is_due(daily, ran, NOW, webhook_marked=True)


async def test_the_runner_syncs_due_connections_once(world: World) -> None:
    with world.book() as book:
        book.create("customer", {"company_name": "Scheduled Co"})
    world.settings(connection={"schedule": {"mode": "interval", "every_minutes": 60}})
    transport = world.transport
    assert [d.connection_id for d in await tick(world.engine, transport=transport)] == [
        world.connection_id]
    assert [c["DisplayName"] for c in await world.records("Customer")] == ["Scheduled Co"]
    assert due_connections(world.engine, datetime.now(UTC)) == []
    with world.engine.begin() as conn:
        mark_changed(conn, [world.connection_id], datetime.now(UTC))
    due = due_connections(world.engine, datetime.now(UTC))
    assert [d.reason for d in due] == ["QuickBooks sent a change"]
    await tick(world.engine, transport=transport)
    assert due_connections(world.engine, datetime.now(UTC)) == []
    world.settings(connection={"paused": True})
    assert due_connections(world.engine, datetime.now(UTC) + timedelta(days=2)) == []
