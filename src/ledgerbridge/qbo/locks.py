"""A per-connection lock that holds across threads and processes.

PostgreSQL: one transaction whose first read is ``SELECT ... FOR UPDATE`` of the
connection row; everything done under the lock runs in it and commits on exit.
SQLite: an exclusive ``flock`` on ``<data dir>/locks/connection-<id>.lock`` (per open
file, so threads of one process exclude each other too); work under it runs in short
``BEGIN IMMEDIATE`` transactions, so the database is never held while QuickBooks answers.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")


class ConnectionLock:
    """``with ConnectionLock(engine, id, lock_dir) as lock: lock.run(fn)``."""

    def __init__(self, engine: Engine, connection_id: str, lock_dir: Path) -> None:
        self.engine = engine
        self.connection_id = connection_id
        self.lock_dir = lock_dir
        self._db: Connection | None = None
        self._fd: int | None = None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def __enter__(self) -> ConnectionLock:
        if self.is_postgres:
            self._db = self.engine.connect()
            self._db.begin()
        else:
            self.lock_dir.mkdir(parents=True, exist_ok=True)
            path = self.lock_dir / f"connection-{self.connection_id}.lock"
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` under the lock (PostgreSQL: in the locking transaction)."""
        if self._db is not None:
            return work(self._db)
        with self.engine.begin() as db:
            return work(db)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._db is not None:
            try:
                if kind is None:
                    self._db.commit()
                else:
                    self._db.rollback()
            finally:
                self._db.close()
                self._db = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
