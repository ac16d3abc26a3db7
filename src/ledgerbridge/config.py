"""Runtime configuration, read from the environment once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "./.ledgerbridge"


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def load_config(env: dict[str, str] | None = None) -> Config:
    """Build the configuration from ``LEDGERBRIDGE_*`` variables.

    ``LEDGERBRIDGE_DATA_DIR`` (default ``./.ledgerbridge``) holds the SQLite database and
    local secrets; ``LEDGERBRIDGE_DATABASE_URL`` points at PostgreSQL (or another SQLite
    file) instead.
    """
    source = os.environ if env is None else env
    data_dir = Path(source.get("LEDGERBRIDGE_DATA_DIR") or DEFAULT_DATA_DIR).expanduser()
    url = source.get("LEDGERBRIDGE_DATABASE_URL") or sqlite_url(data_dir / "ledgerbridge.db")
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return Config(data_dir=data_dir, database_url=url)
