"""Database engines and migrations (SQLAlchemy 2 + Alembic)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event

from ledgerbridge.config import Config
from ledgerbridge.engine import tables as _engine_tables  # noqa: F401  (registers its tables)
from ledgerbridge.hostevents import tables as _event_tables  # noqa: F401  (registers its tables)
from ledgerbridge.qbo import tables as _qbo_tables  # noqa: F401  (registers its tables)

MIGRATIONS = Path(__file__).with_name("migrations")


def _as_is(value: None) -> None:
    return value


# The sqlite3 module binds only exact ints, floats, strings and bytearrays directly; any
# other parameter (None, a bool) first looks for an adapter, and failing that asks the
# protocol for ``__adapt__``, which raises and formats an AttributeError each time: ~0.15
# µs a parameter, and a sync binds several NULLs for every record. Adapters that give the
# same values (NULL, 1/0) skip that search. (Process-wide, and what sqlite3 binds anyway.)
sqlite3.register_adapter(type(None), _as_is)
sqlite3.register_adapter(bool, int)

#: WAL pages between automatic checkpoints (SQLite's default is 1,000)
WAL_CHECKPOINT_PAGES = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, manages transactions (so SAVEPOINT works);
    # see _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # a sync writes in bursts (a chunk's operations, then their outcomes and links):
    # checkpointing every 40 MB of WAL rather than SQLite's 4 MB copies a page rewritten
    # by several commits once, not once per commit (a first full sync wrote 40% fewer
    # bytes); the WAL file is cut back to 64 MB after a checkpoint that outgrew it
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={64 * 2**20}")
    cursor.close()


READ_ONLY = "ledgerbridge_read_only"


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock at the start, so two writers queue on
    # busy_timeout instead of failing when a read transaction upgrades to a write;
    # connections marked read-only (see read_only()) begin deferred and never block.
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only(conn: Connection) -> Connection:
    """Mark a fresh connection as one that only reads."""
    return conn.execution_options(**{READ_ONLY: True})


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets its directory created and sane pragmas."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def engine_from_config(config: Config) -> Engine:
    return make_engine(config.database_url)


def _alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default)."""
    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def ensure_schema(engine: Engine) -> bool:
    """Upgrade when the database is behind; return True when it did."""
    if current_revision(engine) == head_revision():
        return False
    upgrade(engine)
    return True
