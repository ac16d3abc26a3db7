"""Fixtures shared by the whole suite. Feature-specific fixtures belong in sub-directory
conftest files.

- ``sqlite_url``: a fresh SQLite file URL in ``tmp_path``.
- ``database_url``: parametrized ``sqlite`` / ``postgresql``; the latter is a fresh empty
  database on the session's throwaway PostgreSQL, dropped after the test.
- ``postgres_server``: the session's :class:`support.postgres.PostgresServer`, started on
  first use; skips when PostgreSQL is not installed.
- ``shared_dir``: ``../shared`` beside the repository, or a skip.
- ``--long``: run long trials at full length (``request.config.getoption("--long")``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.postgres import PostgresServer, PostgresUnavailable
from support.postgres import postgres_server as _server

REPO_ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="run the long trials at full length",
    )


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's ./.ledgerbridge and database."""
    monkeypatch.setenv("LEDGERBRIDGE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LEDGERBRIDGE_DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (throwaway unless
    ``LEDGERBRIDGE_TEST_POSTGRES_URL`` is set); stopped and deleted at the end."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(_server())
        except PostgresUnavailable as exc:
            pytest.skip(f"PostgreSQL is not installed: run scripts/setup.sh --system ({exc})")
        yield server


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh (not yet existing) SQLite database file."""
    return f"sqlite:///{tmp_path}/book.db"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/book.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.fresh_database() as url:
        yield url


@pytest.fixture
def shared_dir() -> Path:
    """The ``shared`` directory beside the repository root."""
    path = REPO_ROOT.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} is absent (it holds shared fixtures beside the repository)")
    return path
