"""One sync run at a time per connection: a second run is refused at once with a
message, other connections are not held up, and a run killed mid-way leaves no lock
behind (on SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import Engine, create_engine

from ledgerbridge.engine.run_lock import RunLock
from ledgerbridge.errors import ConflictError
from support.qbo_world import World

HOLDER = textwrap.dedent("""
    import sys, time
    from ledgerbridge import db
    from ledgerbridge.engine.run_lock import RunLock
    with RunLock(db.make_engine(sys.argv[1]), sys.argv[2]):
        print("held", flush=True)
        time.sleep(120)
""")


def test_a_second_run_of_a_connection_is_refused_until_the_first_ends(engine: Engine
                                                                     ) -> None:
    with RunLock(engine, "con-a"):
        with pytest.raises(ConflictError, match="already running; wait for it"):
            RunLock(engine, "con-a").__enter__()
        with RunLock(engine, "con-b"):  # another connection syncs meanwhile
            pass
    with RunLock(engine, "con-a"):  # free again once the first run ended
        pass


def test_a_run_killed_mid_way_leaves_no_lock(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, "con-k"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ConflictError):  # another process holds it
            RunLock(engine, "con-k").__enter__()
    finally:
        holder.kill()
        holder.communicate()
    # the killed run's lock went with it: at once for a lock file; PostgreSQL drops an
    # advisory lock when its server process sees the session gone, a moment later
    deadline = time.monotonic() + 10
    while True:
        try:
            with RunLock(engine, "con-k"):
                break
        except ConflictError:
            if engine.dialect.name != "postgresql" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_in_memory_databases_lock_within_the_process() -> None:
    memory = create_engine("sqlite://")
    with RunLock(memory, "con-m"), pytest.raises(ConflictError):
        RunLock(memory, "con-m").__enter__()
    with RunLock(memory, "con-m"):
        pass


async def test_a_sync_while_another_runs_is_refused_and_changes_nothing(world: World
                                                                       ) -> None:
    with world.book() as book:
        book.create("customer", {"company_name": "Lone Pine Cabins"})
        book.create("job", {"customer_id": book.page("customer").items[0]["id"],
                            "name": "Furnace", "number": "J-1"})
    calls = await world.calls()
    with RunLock(world.engine, world.connection_id), \
            pytest.raises(ConflictError, match="already running"):
        await world.sync("full")
    assert await world.calls() == calls  # QuickBooks was not asked anything
    assert (await world.sync("full")).failures() == []  # and it runs once the lock is free
