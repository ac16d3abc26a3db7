"""Throwaway PostgreSQL servers for the test suite.

:func:`postgres_server` yields a :class:`PostgresServer`: either a fresh cluster
(``initdb`` into a temporary directory, listening on a free 127.0.0.1 port, with its
unix socket inside that directory and durability switched off for speed), or, when
``LEDGERBRIDGE_TEST_POSTGRES_URL`` is set, an existing server reached through that URL.
A started cluster is stopped (``pg_ctl stop -m immediate``) and its directory removed
on exit, and again at interpreter exit should the context manager be skipped.

PostgreSQL refuses to run as root, so under root ``initdb`` and ``pg_ctl`` run as the
``postgres`` system user (created by Debian's ``postgresql`` package) via ``runuser``,
in a directory under ``/tmp`` owned by that user.

:meth:`PostgresServer.create_database` / :meth:`PostgresServer.fresh_database` give
each test (or module) its own empty database, created from ``template0``.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

__all__ = [
    "ENV_URL",
    "PostgresServer",
    "PostgresUnavailable",
    "find_binaries",
    "postgres_server",
    "start_cluster",
]

ENV_URL = "LEDGERBRIDGE_TEST_POSTGRES_URL"
"""Use the server at this URL instead of starting one (its user must be allowed to
create and drop databases)."""

DEBIAN_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
INITIAL_DB = "postgres"
START_TIMEOUT_S = 60
_START_ATTEMPTS = 3

_names = itertools.count(1)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here (not installed, or no user to run it as)."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.name)) or (0,)


def find_binaries() -> tuple[Path, Path]:
    """Return ``(initdb, pg_ctl)`` from the same installation.

    ``PATH`` is searched first, then Debian's ``/usr/lib/postgresql/<version>/bin``
    (newest version first).
    """
    candidates: list[Path] = []
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path:
        candidates.append(Path(initdb_on_path).resolve().parent)
    if DEBIAN_ROOT.is_dir():
        versions = sorted(DEBIAN_ROOT.iterdir(), key=_version_key, reverse=True)
        candidates.extend(version / "bin" for version in versions)
    for bindir in candidates:
        initdb, pg_ctl = bindir / "initdb", bindir / "pg_ctl"
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return initdb, pg_ctl
    raise PostgresUnavailable(
        "PostgreSQL is not installed (no initdb/pg_ctl on PATH or under "
        f"{DEBIAN_ROOT}/*/bin): run scripts/setup.sh --system"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _to_sqlalchemy(url: URL) -> URL:
    return url.set(drivername="postgresql+psycopg")


def _to_libpq(url: URL) -> str:
    """A libpq connection URI (what ``psycopg.connect`` takes) for a SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class PostgresServer:
    """A reachable PostgreSQL server on which the tests may create databases."""

    url: URL
    """SQLAlchemy URL (``postgresql+psycopg://``) of the server's maintenance database."""

    owned: bool = False
    """True for a throwaway cluster started by this module."""

    _created: set[str] = field(default_factory=set, repr=False)

    @property
    def host(self) -> str | None:
        return self.url.host

    @property
    def port(self) -> int | None:
        return self.url.port

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL string of database ``dbname`` on this server."""
        return _to_sqlalchemy(self.url.set(database=dbname)).render_as_string(hide_password=False)

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit psycopg connection to the maintenance database."""
        return psycopg.connect(_to_libpq(self.url), autocommit=True, connect_timeout=10)

    def create_database(self, prefix: str = "lbtest") -> str:
        """Create an empty database (from ``template0``); return its SQLAlchemy URL."""
        name = f"{prefix}_{os.getpid()}_{next(_names)}_{secrets.token_hex(3)}"
        with self.connect() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )
        self._created.add(name)
        return self.url_for(name)

    def drop_database(self, url_or_name: str) -> None:
        """Drop a database made by :meth:`create_database`, closing its connections."""
        name = make_url(url_or_name).database if "://" in url_or_name else url_or_name
        if not name:
            raise ValueError(f"no database name in {url_or_name!r}")
        if name not in self._created:
            raise ValueError(f"refusing to drop {name!r}: not created by these tests")
        with self.connect() as conn:
            force = sql.SQL(" WITH (FORCE)") if conn.info.server_version >= 130000 else sql.SQL("")
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)
        self._created.discard(name)

    @contextlib.contextmanager
    def fresh_database(self, prefix: str = "lbtest") -> Iterator[str]:
        """Yield the URL of a new empty database, dropped afterwards."""
        url = self.create_database(prefix)
        try:
            yield url
        finally:
            self.drop_database(url)


@dataclass
class _Cluster:
    base: Path
    pg_ctl: Path
    as_user: str | None
    running: bool = False
    watchdog: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> Path:
        return self.base / "data"

    def command(self, args: Sequence[str | Path]) -> list[str]:
        command = [str(arg) for arg in args]
        if self.as_user is not None:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return command

    def stop_command(self) -> list[str]:
        return self.command([self.pg_ctl, "stop", "-D", self.data, "-m", "immediate", "-w"])

    def run(self, args: Sequence[str | Path], timeout: float) -> subprocess.CompletedProcess[str]:
        command = self.command(args)
        env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
        for key in ("PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS"):
            env.pop(key, None)
        return subprocess.run(
            command,
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def stop_server(self) -> None:
        if self.running:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                subprocess.run(
                    self.stop_command(), cwd=self.base, capture_output=True, timeout=30, check=False
                )
            self.running = False

    def start_watchdog(self) -> None:
        """Stop the server and delete it should this process die without cleaning up
        (SIGTERM, SIGKILL, a CI timeout): a detached shell polls for our pid."""
        self.watchdog = subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                _WATCHDOG,
                "lbpg-watchdog",
                str(os.getpid()),
                str(self.base),
                *self.stop_command(),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def destroy(self) -> None:
        """Stop the server (if up) and remove the directory; safe to call twice."""
        if self.watchdog is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.watchdog.pid, signal.SIGKILL)  # the shell and its `sleep`
            self.watchdog.wait()
            self.watchdog = None
        self.stop_server()
        shutil.rmtree(self.base, ignore_errors=True)


_WATCHDOG = """
pid=$1; base=$2; shift 2
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
"$@" >/dev/null 2>&1
rm -rf "$base"
"""


def _make_base_dir() -> tuple[Path, str | None]:
    """Create the cluster's directory; return it and the user to run PostgreSQL as."""
    if os.geteuid() != 0:
        return Path(tempfile.mkdtemp(prefix="lbpg-")), None
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no {SYSTEM_USER!r} system user to run "
            "PostgreSQL as (install Debian's postgresql: run scripts/setup.sh --system)"
        ) from None
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root and runuser(1) is not available")
    base = Path(tempfile.mkdtemp(prefix="lbpg-", dir="/tmp"))
    os.chown(base, entry.pw_uid, entry.pw_gid)
    base.chmod(0o700)
    return base, SYSTEM_USER


def start_cluster() -> tuple[PostgresServer, _Cluster]:
    """initdb and start a throwaway cluster; the caller must ``cluster.destroy()``."""
    initdb, pg_ctl = find_binaries()
    base, as_user = _make_base_dir()
    cluster = _Cluster(base=base, pg_ctl=pg_ctl, as_user=as_user)
    atexit.register(cluster.destroy)
    try:
        result = cluster.run(
            [
                initdb,
                "--pgdata",
                cluster.data,
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ],
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        port = _start(cluster)
        cluster.start_watchdog()
    except BaseException:
        cluster.destroy()
        atexit.unregister(cluster.destroy)
        raise
    url = URL.create(
        "postgresql+psycopg", username=SUPERUSER, host="127.0.0.1", port=port, database=INITIAL_DB
    )
    return PostgresServer(url=url, owned=True), cluster


def _start(cluster: _Cluster) -> int:
    """Start the cluster on a free port (retrying if the port is taken); return it."""
    conf = cluster.data / "postgresql.conf"
    base_conf = conf.read_text()
    log = cluster.base / "server.log"
    failure = ""
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        conf.write_text(
            base_conf
            + "\n# ledgerbridge tests\n"
            + f"listen_addresses = '127.0.0.1'\nport = {port}\n"
            + f"unix_socket_directories = '{cluster.base}'\n"
            + "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            + "max_connections = 200\n"
        )
        result = cluster.run(
            [
                cluster.pg_ctl,
                "start",
                "-D",
                cluster.data,
                "-l",
                log,
                "-w",
                "-t",
                str(START_TIMEOUT_S),
            ],
            timeout=START_TIMEOUT_S + 10,
        )
        cluster.running = True  # even on failure it may be half up: let stop try
        if result.returncode == 0:
            return port
        cluster.stop_server()
        server_log = log.read_text(errors="replace") if log.exists() else ""
        failure = f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n{server_log}"
    raise RuntimeError(failure)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Yield a server: the one at ``$LEDGERBRIDGE_TEST_POSTGRES_URL``, or a throwaway one.

    Raises :class:`PostgresUnavailable` when none can be had. Databases made through
    the yielded server and not yet dropped are dropped on exit (on an existing server);
    a throwaway cluster is stopped and deleted.
    """
    external = os.environ.get(ENV_URL, "").strip()
    if external:
        server = PostgresServer(url=_to_sqlalchemy(make_url(external)))
        try:
            yield server
        finally:
            for name in sorted(server._created):
                with contextlib.suppress(psycopg.Error):
                    server.drop_database(name)
        return
    server, cluster = start_cluster()
    try:
        yield server
    finally:
        cluster.destroy()
        atexit.unregister(cluster.destroy)
