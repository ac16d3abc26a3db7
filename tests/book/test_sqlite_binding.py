"""NULLs and bools bound on SQLite: through adapters that give what sqlite3 binds anyway
(NULL; 1 and 0), so each parameter skips sqlite3's failing ``__adapt__`` search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from ledgerbridge import db


def test_none_and_bools_have_adapters_that_keep_their_values() -> None:
    protocol = sqlite3.PrepareProtocol
    assert sqlite3.adapters[(type(None), protocol)](None) is None
    assert sqlite3.adapters[(bool, protocol)](True) == 1
    assert sqlite3.adapters[(bool, protocol)](False) == 0


def test_they_are_stored_as_null_and_integers(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'binding.db'}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (a, b, c)")
            conn.exec_driver_sql("INSERT INTO t VALUES (?, ?, ?)",
                                 [(None, True, False), (None, None, True)])
            rows = conn.execute(text("SELECT typeof(a), a, typeof(b), b, c FROM t")).all()
        assert [tuple(row) for row in rows] == [("null", None, "integer", 1, 0),
                                                ("null", None, "null", None, 1)]
    finally:
        engine.dispose()
