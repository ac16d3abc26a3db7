"""The embedded SQLite book's connection settings: write-ahead log, and a checkpoint only
every ``db.WAL_CHECKPOINT_PAGES`` pages of it (a sync writes in bursts; SQLite's default
of 1,000 pages copied the same operation pages back once per commit)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ledgerbridge import db


def test_commits_past_a_thousand_pages_stay_in_the_log(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            settings = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                        ("journal_mode", "synchronous", "wal_autocheckpoint",
                         "journal_size_limit", "foreign_keys")}
        assert settings == {"journal_mode": "wal", "synchronous": 1,
                            "wal_autocheckpoint": db.WAL_CHECKPOINT_PAGES,
                            "journal_size_limit": 64 * 2**20, "foreign_keys": 1}
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE burst (n INTEGER PRIMARY KEY, body BLOB)"))
        page = 4096
        for _ in range(30):  # ~3,000 pages in 30 commits, as a sync's chunks come
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO burst (body) VALUES (randomblob(:size))"),
                             [{"size": page - 200}] * 100)
        log = Path(f"{path}-wal").stat().st_size
        # with SQLite's default the log is checkpointed and reused at ~1,000 pages
        assert log > 2_500 * page
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM burst").scalar() == 3000
    finally:
        engine.dispose()
