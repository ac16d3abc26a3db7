"""The test infrastructure itself: a real, isolated PostgreSQL and both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from support.postgres import ENV_URL, PostgresServer


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_database_url_yields_both_backends(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    backend = request.node.callspec.params["database_url"]
    assert make_url(database_url).get_backend_name() == backend
    with engine_for(database_url) as engine, engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(sa.text("INSERT INTO probe (id, name) VALUES (1, 'one')"))
        assert conn.execute(sa.text("SELECT name FROM probe")).scalar_one() == "one"
        assert engine.dialect.name == backend


def test_database_url_starts_empty(database_url: str) -> None:
    """Each test gets its own database: the table made by the test above is not here."""
    with engine_for(database_url) as engine:
        assert sa.inspect(engine).get_table_names() == []


def test_sqlite_url_is_a_fresh_file(sqlite_url: str, tmp_path: os.PathLike[str]) -> None:
    url = make_url(sqlite_url)
    assert url.get_backend_name() == "sqlite"
    assert url.database == f"{tmp_path}/book.db"
    assert not os.path.exists(url.database)


def test_data_dir_is_isolated(tmp_path: os.PathLike[str]) -> None:
    assert os.environ["LEDGERBRIDGE_DATA_DIR"] == str(tmp_path)
    assert "LEDGERBRIDGE_DATABASE_URL" not in os.environ


@pytest.mark.postgres
def test_server_is_real_postgresql_on_loopback(postgres_server: PostgresServer) -> None:
    url = postgres_server.url_for("postgres")
    assert make_url(url).drivername == "postgresql+psycopg"
    with engine_for(url) as engine, engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version()")).scalar_one()
        assert version.startswith("PostgreSQL ")
        if not os.environ.get(ENV_URL):
            assert postgres_server.owned
            assert postgres_server.host == "127.0.0.1"
            assert conn.execute(sa.text("SELECT host(inet_server_addr())")).scalar_one() == (
                "127.0.0.1"
            )
            assert conn.execute(sa.text("SHOW listen_addresses")).scalar_one() == "127.0.0.1"
            assert conn.execute(sa.text("SHOW fsync")).scalar_one() == "off"


@pytest.mark.postgres
def test_databases_are_isolated(postgres_server: PostgresServer) -> None:
    with postgres_server.fresh_database() as first, postgres_server.fresh_database() as second:
        assert first != second
        with engine_for(first) as engine, engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE only_in_first (id INTEGER)"))
        with engine_for(second) as engine:
            assert sa.inspect(engine).get_table_names() == []
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE only_in_second (id INTEGER)"))
        with engine_for(first) as engine:
            assert sa.inspect(engine).get_table_names() == ["only_in_first"]


@pytest.mark.postgres
def test_fresh_database_is_dropped_afterwards(postgres_server: PostgresServer) -> None:
    with postgres_server.fresh_database() as url:
        name = make_url(url).database
        with engine_for(url) as engine, engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == name
    with postgres_server.connect() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert row is None


@pytest.mark.postgres
def test_drop_closes_lingering_connections(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    lingering = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        postgres_server.drop_database(url)
    finally:
        lingering.close()


@pytest.mark.postgres
def test_only_test_databases_can_be_dropped(postgres_server: PostgresServer) -> None:
    with pytest.raises(ValueError, match="not created by these tests"):
        postgres_server.drop_database("postgres")
