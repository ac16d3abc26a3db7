"""Alembic environment: the engine comes from ``ledgerbridge.db`` (never an ini file)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from ledgerbridge.book.tables import metadata
from ledgerbridge.engine import tables as _engine_tables  # noqa: F401  (registers its tables)
from ledgerbridge.hostevents import tables as _event_tables  # noqa: F401  (registers its tables)
from ledgerbridge.qbo import tables as _qbo_tables  # noqa: F401  (registers its tables)


def run() -> None:
    engine = context.config.attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("run migrations through ledgerbridge.db.upgrade()")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run()
