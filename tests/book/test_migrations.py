"""Migrations build exactly the tables the code declares, on both backends, and can be
undone and redone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ledgerbridge import db
from ledgerbridge.book.tables import metadata


def test_upgrade_matches_the_declared_tables_and_round_trips(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        assert db.ensure_schema(engine) is True
        assert db.ensure_schema(engine) is False
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        db.downgrade(engine, "base")
        assert db.current_revision(engine) is None
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()
