"""``ledgerbridge connect qbo`` and ``ledgerbridge connections ...``."""

from __future__ import annotations

import asyncio
import http.server
import os
import threading
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console

from ledgerbridge import tenants
from ledgerbridge.qbo import authorize, local_sandbox
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo.connections import Connection
from ledgerbridge.qbo.environments import endpoints_for
from ledgerbridge.qbo.secrets import SecretBox, redact_realm

connect_app = typer.Typer(help="Connect a QuickBooks company.", no_args_is_help=True)
connections_app = typer.Typer(help="QuickBooks connections.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
TenantOpt = Annotated[str, typer.Option(help="Tenant name or id")]


def _tenant_id(name: str) -> str:
    from ledgerbridge.cli import open_engine

    with open_engine().connect() as db:
        return tenants.find_tenant(db, name).id


def _show(connection: Connection) -> None:
    console.print(f"{connection.id}  {connection.name}  [bold]{connection.status}[/bold]  "
                  f"{connection.company_name or '-'}  realm {redact_realm(connection.realm_id)}"
                  f"  {connection.environment}")
    if connection.status_message and connection.status != "connected":
        console.print(f"  {connection.status_message}")


def _catch_redirect(port: int, timeout: float) -> str:
    """Serve one request on the loopback port and return its full URL."""
    caught: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            caught.append(f"http://localhost:{port}{self.path}")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ledgerbridge: connected; you can close this window.")

        def log_message(self, *args: object) -> None:
            return None

    with http.server.HTTPServer(("127.0.0.1", port), Handler) as server:
        server.timeout = timeout
        thread = threading.Thread(target=server.handle_request, daemon=True)
        thread.start()
        thread.join(timeout)
    if not caught:
        raise typer.BadParameter("no redirect arrived; run again with --paste")
    return caught[0]


@connect_app.command("qbo")
def connect_qbo(
    tenant: TenantOpt,
    sandbox_url: Annotated[str | None, typer.Option(
        help="A local sandbox's URL: connect without a browser")] = None,
    client_id: Annotated[str | None, typer.Option(envvar="LEDGERBRIDGE_QBO_CLIENT_ID")] = None,
    client_secret: Annotated[str | None, typer.Option(
        envvar="LEDGERBRIDGE_QBO_CLIENT_SECRET")] = None,
    name: Annotated[str, typer.Option(help="A name for the connection")] = "QuickBooks Online",
    environment: Annotated[str, typer.Option(
        help="production or intuit_sandbox (ignored with --sandbox-url)")] = "production",
    port: Annotated[int, typer.Option(help="Loopback port of the redirect")] = 8719,
    paste: Annotated[bool, typer.Option(help="Paste the redirect URL instead")] = False,
    go_live: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Go-live date: records dated before it wait under "
                                   "unsynced records [default: today (UTC)]")] = None,
) -> None:
    """Connect a QuickBooks Online company to a tenant."""
    from ledgerbridge.cli import open_engine

    engine = open_engine()
    go_live_date = go_live.date() if go_live else None
    tenant_id = _tenant_id(tenant)
    box = SecretBox.from_environment()
    if sandbox_url:
        connection = asyncio.run(local_sandbox.connect(
            engine, box, tenant_id, sandbox_url, name=name, client_id=client_id,
            client_secret=client_secret, go_live_date=go_live_date))
        _show(connection)
        return
    if not client_id or not client_secret:
        raise typer.BadParameter("--client-id and --client-secret (or LEDGERBRIDGE_QBO_"
                                 "CLIENT_ID / _SECRET) are needed for Intuit")
    redirect = f"http://localhost:{port}/callback"
    _, url = authorize.begin(engine, box, tenant_id, name=name,
                             endpoints=endpoints_for(environment), client_id=client_id,
                             client_secret=client_secret, redirect_uri=redirect,
                             go_live_date=go_live_date)
    err.print(f"Open this URL, approve, and come back (redirect URI: {redirect}):")
    print(url)
    back = (typer.prompt("Paste the URL the browser was sent to") if paste
            else _catch_redirect(port, float(os.environ.get("LEDGERBRIDGE_CONNECT_WAIT", 300))))
    _show(asyncio.run(authorize.complete(engine, box, back, tenant_id=tenant_id)))


@connections_app.command("list")
def connections_list(tenant: TenantOpt) -> None:
    """List a tenant's connections (never a secret)."""
    from ledgerbridge.cli import open_engine

    tenant_id = _tenant_id(tenant)
    with open_engine().connect() as db:
        for connection in store.list_connections(db, tenant_id):
            _show(connection)


@connections_app.command("disconnect")
def connections_disconnect(connection_id: str, tenant: TenantOpt) -> None:
    """Revoke a connection's tokens and forget them."""
    from ledgerbridge.cli import open_engine

    _show(asyncio.run(authorize.disconnect(open_engine(), SecretBox.from_environment(),
                                           _tenant_id(tenant), connection_id)))


@connections_app.command("remove")
def connections_remove(connection_id: str, tenant: TenantOpt) -> None:
    """Disconnect, then delete the connection and its secrets."""
    from ledgerbridge.cli import open_engine

    asyncio.run(authorize.remove(open_engine(), SecretBox.from_environment(),
                                 _tenant_id(tenant), connection_id))
    console.print(f"removed {connection_id}")
