"""Removing a connection that has synced removes what the engine keeps for it (links,
operations and the transmission log, mappings, runs, state, settings); the book's
records stay. It failed on the foreign keys of those rows."""

from __future__ import annotations

from sqlalchemy import func, select

from ledgerbridge.engine.tables import (
    links,
    mappings,
    operations,
    sync_runs,
    sync_settings,
    sync_state,
)
from ledgerbridge.qbo import authorize
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.settings import mappings as mapping_store
from support import qbo_documents as docs
from support.qbo_world import World

TABLES = (operations, links, mappings, sync_runs, sync_state, sync_settings)


def _rows(world: World, connection_id: str) -> dict[str, int]:
    with world.engine.connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table).where(
            table.c.connection_id == connection_id)).scalar_one() for table in TABLES}


async def test_a_connection_that_synced_is_removed_with_what_the_engine_kept(
        world: World) -> None:
    made = docs.project(world)
    await world.sync("full")
    with world.engine.begin() as conn:
        mapping_store.put(conn, world.connection_id, "cost_code_item", "cc_1", "1", "Labor")
    kept = _rows(world, world.connection_id)
    assert all(kept.values()), kept  # something in every table
    await authorize.remove(world.engine, SecretBox.from_environment(), world.tenant_id,
                           world.connection_id, transport=world.transport)
    assert set(_rows(world, world.connection_id).values()) == {0}
    with world.engine.connect() as conn:
        assert store.list_connections(conn, world.tenant_id) == []
    with world.book(write=False) as book:
        assert book.get("invoice", made["invoice"]["id"]) is not None
