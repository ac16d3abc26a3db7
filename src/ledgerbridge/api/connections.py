"""QuickBooks connections of the calling tenant. Answers never carry a secret: no token,
no client secret, no webhook verifier."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import httpx
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ledgerbridge.api.deps import BookDep
from ledgerbridge.api.responses import BookJSONResponse
from ledgerbridge.db import read_only
from ledgerbridge.qbo import authorize
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo.connections import Connection
from ledgerbridge.qbo.environments import endpoints_for
from ledgerbridge.qbo.secrets import SecretBox

router = APIRouter(prefix="/connections", tags=["QuickBooks"])


class StartQbo(BaseModel):
    """Start connecting a QuickBooks Online company."""

    name: str = Field("QuickBooks Online", min_length=1, max_length=200)
    environment: Literal["production", "intuit_sandbox", "local"] = "production"
    sandbox_url: str | None = Field(None, description="base URL of a local sandbox "
                                    "(environment local)")
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str = Field(min_length=1, max_length=500)
    redirect_uri: str | None = Field(None, description="defaults to this server's "
                                     "/oauth/qbo/callback")
    webhook_verifier: str | None = Field(None, max_length=500)
    go_live_date: date | None = Field(None, description="records dated before it wait "
                                      "under unsynced records; default: today (UTC)")


def public(connection: Connection) -> dict[str, Any]:
    shown = connection.as_dict()
    shown.pop("oauth_base", None)
    return shown


def qbo_transport(request: Request) -> httpx.AsyncBaseTransport | None:
    """The transport OAuth calls use (tests put a sandbox's ASGI transport here)."""
    transport = getattr(request.app.state, "qbo_transport", None)
    return transport if isinstance(transport, httpx.AsyncBaseTransport) else None


@router.get("", summary="List QuickBooks connections")
def list_connections(book: BookDep) -> BookJSONResponse:
    with book.engine.connect() as db:
        found = store.list_connections(read_only(db), book.tenant.id)
    return BookJSONResponse({"data": [public(c) for c in found]})


@router.get("/{connection_id}", summary="One QuickBooks connection")
def get_connection(connection_id: str, book: BookDep) -> BookJSONResponse:
    with book.engine.connect() as db:
        found = store.get_connection(read_only(db), book.tenant.id, connection_id)
    return BookJSONResponse(public(found))


@router.post("/qbo", status_code=201, summary="Start connecting QuickBooks Online")
def start_qbo(body: StartQbo, request: Request, book: BookDep) -> BookJSONResponse:
    """Makes a pending connection and answers the URL to send the person to; QuickBooks
    then redirects to ``/oauth/qbo/callback``, which completes it."""
    redirect = body.redirect_uri or str(request.url_for("qbo_callback"))
    connection, url = authorize.begin(
        book.engine, SecretBox.from_environment(), book.tenant.id, name=body.name,
        endpoints=endpoints_for(body.environment, body.sandbox_url),
        client_id=body.client_id, client_secret=body.client_secret, redirect_uri=redirect,
        webhook_verifier=body.webhook_verifier, go_live_date=body.go_live_date)
    return BookJSONResponse({"connection": public(connection), "authorize_url": url},
                            status_code=201)


@router.post("/{connection_id}/disconnect", summary="Disconnect (revoke the tokens)")
async def disconnect(connection_id: str, request: Request, book: BookDep) -> BookJSONResponse:
    found = await authorize.disconnect(book.engine, SecretBox.from_environment(),
                                       book.tenant.id, connection_id,
                                       transport=qbo_transport(request))
    return BookJSONResponse(public(found))


@router.delete("/{connection_id}", status_code=204, summary="Remove a connection")
async def remove(connection_id: str, request: Request, book: BookDep) -> Response:
    await authorize.remove(book.engine, SecretBox.from_environment(), book.tenant.id,
                           connection_id, transport=qbo_transport(request))
    return Response(status_code=204)
