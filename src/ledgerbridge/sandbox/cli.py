"""``ledgerbridge sandbox``: local stand-ins for QuickBooks."""

from __future__ import annotations

import typer

app = typer.Typer(help="Local QuickBooks sandboxes for development and tests.",
                  no_args_is_help=True)


@app.callback()
def sandbox() -> None:
    """Local QuickBooks sandboxes for development and tests."""


@app.command("qbo")
def qbo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8765, help="Port to listen on."),
    state_file: str | None = typer.Option(None, help="SQLite file to keep state in "
                                          "(memory when omitted)."),
    seed_demo: bool = typer.Option(False, help="Create a demo company on start."),
    no_auth: bool = typer.Option(False, help="Accept Accounting API calls without a token."),
) -> None:
    """Run a local QuickBooks Online (Accounting API, OAuth 2, /sandbox admin API)."""
    import uvicorn

    from .qbo import create_app

    application = create_app(state_file=state_file, seed_demo=seed_demo,
                             auth_required=not no_auth, webhook_autoflush=True)
    typer.echo(f"QuickBooks Online sandbox on http://{host}:{port}/v3/company/<realm>/ "
               f"(admin: http://{host}:{port}/sandbox/companies)")
    uvicorn.run(application, host=host, port=port, log_level="warning")
