"""The ``ledgerbridge`` command line (Typer + Rich)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from ledgerbridge import db, demo, tenants
from ledgerbridge.config import load_config
from ledgerbridge.errors import LedgerbridgeError

app = typer.Typer(help="Keep a field-service business and its QuickBooks company in step.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
tenants_app = typer.Typer(help="Tenants and their API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenants_app, name="tenants")

console = Console()
err = Console(stderr=True)


def open_engine(upgrade: bool = True) -> Engine:
    """The configured database, brought up to date when ``upgrade``."""
    engine = db.engine_from_config(load_config())
    if upgrade and db.ensure_schema(engine):
        err.print("[dim]database schema brought up to date[/dim]")
    return engine


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head"
               ) -> None:
    """Apply the migrations (to the newest revision by default)."""
    engine = open_engine(upgrade=False)
    db.upgrade(engine, revision)
    console.print(f"database at revision {db.current_revision(engine)}")
    engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision."""
    engine = open_engine(upgrade=False)
    console.print(db.current_revision(engine) or "empty (run: ledgerbridge db upgrade)")
    engine.dispose()


@tenants_app.command("create")
def tenants_create(name: str) -> None:
    """Create a tenant; the last line printed is its API key (shown only once)."""
    engine = open_engine()
    with engine.begin() as conn:
        tenant = tenants.create_tenant(conn, name)
        key = tenants.issue_api_key(conn, tenant.id, label="created with the CLI")
    err.print(f"tenant [bold]{tenant.name}[/bold] ({tenant.id}); its API key follows, "
              "shown only this once:")
    print(key)
    engine.dispose()


@tenants_app.command("key")
def tenants_key(name: str) -> None:
    """Issue another API key for a tenant (printed as the last line)."""
    engine = open_engine()
    with engine.begin() as conn:
        tenant = tenants.find_tenant(conn, name)
        key = tenants.issue_api_key(conn, tenant.id, label="issued with the CLI")
    print(key)
    engine.dispose()


@tenants_app.command("list")
def tenants_list() -> None:
    """List tenants."""
    engine = open_engine()
    with engine.connect() as conn:
        for tenant in tenants.list_tenants(conn):
            console.print(f"{tenant.id}  {tenant.name}")
    engine.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the REST API (upgrading an empty or older database first)."""
    import uvicorn

    from ledgerbridge.api import create_app

    engine = open_engine()
    console.print(f"ledgerbridge API on http://{host}:{port}  (OpenAPI: /docs)")
    uvicorn.run(create_app(engine), host=host, port=port, log_level="info")


@app.command("demo")
def demo_command(
    keep_running: Annotated[bool, typer.Option(
        "--keep-running", help="Serve the API (and the QuickBooks sandbox) afterwards")] = False,
    host: Annotated[str, typer.Option(help="Interface to serve the API on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve the API on")] = 8000,
) -> None:
    """Sync the sample HVAC/plumbing company with a local QuickBooks Online: a full sync,
    changes on both sides, a daily sync, and a summary."""
    config = load_config()
    engine = demo.demo_database(config.data_dir)
    result = asyncio.run(demo.run(engine, console))
    demo.summarize(result, console)
    demo.where_next(result, console, config.data_dir, keep_running)
    if keep_running:
        console.print(f"\nServing the API on http://{host}:{port} and the sandbox on "
                      f"{demo.SANDBOX_URL} (Ctrl-C stops).")
        asyncio.run(demo.keep_serving(result, host, port))
    engine.dispose()


from ledgerbridge.cli_import import import_command  # noqa: E402
from ledgerbridge.sandbox.cli import app as sandbox_app  # noqa: E402

app.command("import")(import_command)
app.add_typer(sandbox_app, name="sandbox", help="Local QuickBooks stand-ins for testing.")
from ledgerbridge.cli_connect import connect_app, connections_app  # noqa: E402

app.add_typer(connect_app, name="connect")
app.add_typer(connections_app, name="connections")
from ledgerbridge.cli_sync import register as _register_sync  # noqa: E402

_register_sync(app)


def main() -> None:
    try:
        app()
    except LedgerbridgeError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise SystemExit(1) from None
