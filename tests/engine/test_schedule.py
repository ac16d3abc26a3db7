"""When automatic syncs are due, and the embedded runner that runs them."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import update

from ledgerbridge.engine.tables import sync_state
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
    daily = Schedule(mode="daily", daily_at=time(2, 0), timezone="UTC")
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


# daily at a time, in the company's time zone ---------------------------------------------
#: 07:05 UTC is 03:05 in New York (EDT since 8 March): 02:00 there is 06:00 UTC next day
RAN = datetime(2026, 3, 10, 7, 5, tzinfo=UTC)


@pytest.fixture
def new_york_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine that runs the syncs keeps New York time."""
    monkeypatch.setenv("TZ", "America/New_York")
    clock.tzset()
    yield
    monkeypatch.undo()
    clock.tzset()


def _ran_at(world: World, when: datetime) -> None:
    with world.engine.begin() as conn:
        conn.execute(update(sync_state).where(sync_state.c.connection_id == world.connection_id)
                     .values(last_run_at=when))


def _due_at(world: World, hour: int, minute: int = 0) -> bool:
    now = datetime(2026, 3, 11, hour, minute, tzinfo=UTC)
    return world.connection_id in {d.connection_id for d in due_connections(world.engine, now)}


async def test_daily_at_a_time_is_in_the_schedule_time_zone(world: World) -> None:
    await world.sync("daily")
    world.settings(connection={"schedule": {"mode": "daily", "daily_at": "02:00",
                                            "timezone": "America/New_York"}})
    _ran_at(world, RAN)
    assert not _due_at(world, 2)        # 02:00 UTC is 22:00 the day before in New York
    assert not _due_at(world, 5, 59)
    assert _due_at(world, 6)            # 02:00 in New York


async def test_daily_at_a_time_without_a_time_zone_is_local_time(world: World,
                                                                 new_york_host: None) -> None:
    await world.sync("daily")
    world.settings(connection={"schedule": {"mode": "daily", "daily_at": "02:00"}})
    _ran_at(world, RAN)
    assert not _due_at(world, 2)
    assert _due_at(world, 6)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a time zone"):
        Schedule(mode="daily", timezone="Mars/Olympus_Mons")
    assert Schedule(timezone="").timezone is None
