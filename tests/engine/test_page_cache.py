"""A sync run's SQLite connection caches more pages while it runs (its indexes are
sought all over), and gives them back afterwards."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import Engine, event

from ledgerbridge.engine.page_cache import RUN_CACHE_KIB, cache_kib, run_page_cache
from support.books import SAMPLE_BODIES
from support.qbo_world import World


def test_the_run_cache_is_set_and_given_back(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            with run_page_cache(conn):  # the server's buffers: nothing to set
                assert not conn.in_transaction()
            return
        before = cache_kib(conn)
        assert before < RUN_CACHE_KIB
        with run_page_cache(conn):
            assert cache_kib(conn) == RUN_CACHE_KIB
            assert not conn.in_transaction()  # no write lock taken to set it
        assert cache_kib(conn) == before
        with pytest.raises(RuntimeError), run_page_cache(conn):
            raise RuntimeError("a run that fails")
        assert cache_kib(conn) == before


async def test_a_sync_writes_with_the_run_cache(world: World) -> None:
    if world.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page cache")
    with world.book() as book:
        for kind, body in SAMPLE_BODIES:
            book.create(kind, body)
    general = (await world.seed({"Item": [{"Name": "General", "Type": "Service"}]}))["Item"][0]
    world.settings(connection={"default_item_id": general})
    seen: list[int] = []
    drivers: set[Any] = set()

    def note(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO operations"):
            seen.append(cache_kib(conn))
            drivers.add(conn.connection.driver_connection)

    event.listen(world.engine, "before_cursor_execute", note)
    try:
        report = await world.sync("full")
    finally:
        event.remove(world.engine, "before_cursor_execute", note)
    assert report.failures() == []
    assert seen and set(seen) == {RUN_CACHE_KIB}
    # the very connection the run wrote on, back in the pool with its own size again
    [driver] = drivers
    default = sqlite3.connect(":memory:").execute("PRAGMA cache_size").fetchone()[0]
    assert driver.execute("PRAGMA cache_size").fetchone()[0] == default
