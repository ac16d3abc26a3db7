"""A larger SQLite page cache for the length of a sync run.

A full sync of a large company inserts operations and links at places spread over their
indexes (ids are hashes and ULIDs), and reads the book's records by their own. SQLite's
default cache (2 MB a connection) holds little of those indexes, so most seeks read their
pages from the operating system again: a ``pread`` each, about 3 % of a first full
sync's CPU at 80,000 records. A run's connection gets a cache of
:data:`RUN_CACHE_KIB` while it runs, and its own size back afterwards (the pooled
connection then lets the pages go). PostgreSQL keeps its buffers in the server: nothing
to do there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

#: the run's page cache, in KiB (SQLite's default is 2,000)
RUN_CACHE_KIB = 65_536


def _driver(conn: Connection) -> Any:
    # the sqlite3 connection itself: a pragma through SQLAlchemy would begin a
    # transaction (BEGIN IMMEDIATE, the write lock) just to set it
    return conn.connection.driver_connection


def cache_kib(conn: Connection) -> int:
    """The connection's page cache now, in KiB (SQLite only)."""
    driver = _driver(conn)
    size = int(driver.execute("PRAGMA cache_size").fetchone()[0])
    if size < 0:
        return -size
    page = int(driver.execute("PRAGMA page_size").fetchone()[0])
    return size * page // 1024


@contextmanager
def run_page_cache(conn: Connection, kib: int = RUN_CACHE_KIB) -> Iterator[None]:
    """``conn`` caches up to ``kib`` KiB of pages inside the block (SQLite); as it was
    after it, however the block ends."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = _driver(conn)
    before = int(driver.execute("PRAGMA cache_size").fetchone()[0])
    driver.execute(f"PRAGMA cache_size={-int(kib)}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={before}")
