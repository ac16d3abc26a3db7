"""One sync run at a time per connection, across threads, processes and machines.

Two overlapping runs of one connection would plan the same operations and race to send
them; the second waits for nothing and fails at once with a message saying so.

PostgreSQL: a session advisory lock held on a connection of its own for the run (the
server drops it if the process dies). SQLite: an exclusive ``flock`` on a file beside
the database (one machine; the kernel drops it if the process dies). Neither leaves a
stale lock behind after a crash.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, text

from ledgerbridge.errors import ConflictError


def advisory_key(connection_id: str) -> int:
    """A signed 64-bit key for ``pg_try_advisory_lock``, stable across processes."""
    digest = hashlib.sha256(f"ledgerbridge-run:{connection_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


#: runs of in-memory databases (one process can see them): (engine, connection) keys
_in_memory: set[tuple[int, str]] = set()
_in_memory_guard = threading.Lock()


def lock_path(engine: Engine, connection_id: str) -> Path | None:
    """The lock file of a SQLite database's connection (beside the database, so every
    process that opens the file finds the same lock); None for an in-memory one."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(f"{database}-locks") / f"run-{connection_id}.lock"


class RunLock:
    """``with RunLock(engine, connection_id):`` holds the connection's run lock, or raises
    :class:`ConflictError` when another run holds it."""

    def __init__(self, engine: Engine, connection_id: str) -> None:
        self.engine = engine
        self.connection_id = connection_id
        self._db: Connection | None = None
        self._fd: int | None = None
        self._memory_key: tuple[int, str] | None = None

    def __enter__(self) -> RunLock:
        if self.engine.dialect.name == "postgresql":
            self._take_advisory()
        else:
            self._take_file()
        return self

    def _busy(self) -> ConflictError:
        return ConflictError(f"a sync of connection {self.connection_id} is already "
                             "running; wait for it to finish (its progress is in "
                             "`ledgerbridge status`), then run this one again")

    def _take_advisory(self) -> None:
        db = self.engine.connect()
        try:
            taken = db.execute(text("SELECT pg_try_advisory_lock(:key)"),
                               {"key": advisory_key(self.connection_id)}).scalar()
            db.commit()  # the lock belongs to the session, not the transaction
        except BaseException:
            db.close()
            raise
        if not taken:
            db.close()
            raise self._busy()
        self._db = db

    def _take_file(self) -> None:
        path = lock_path(self.engine, self.connection_id)
        if path is None:
            key = (id(self.engine), self.connection_id)
            with _in_memory_guard:
                if key in _in_memory:
                    raise self._busy()
                _in_memory.add(key)
            self._memory_key = key
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise self._busy() from None
        self._fd = fd

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._db is not None:
            try:
                self._db.execute(text("SELECT pg_advisory_unlock(:key)"),
                                 {"key": advisory_key(self.connection_id)})
                self._db.commit()
            except BaseException:
                self._db.invalidate()  # never back to the pool still holding the lock
                raise
            finally:
                self._db.close()
                self._db = None
        if self._memory_key is not None:
            with _in_memory_guard:
                _in_memory.discard(self._memory_key)
            self._memory_key = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
